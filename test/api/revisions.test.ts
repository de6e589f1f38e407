import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_POD, POD, startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const AT = `query($r: Revision) { pod(namespace: "default", name: "tt", atRevision: $r) { metadata { uid resourceVersion labels } } pods(labelSelector: "v", atRevision: $r) { edges { node { metadata { name labels } } } revision } }`;

describe('atRevision', () => {
  it('reads an object as it was at any past revision, and not at all before it was created or after it was deleted', async () => {
    const before = (await api.ok('{ revision }')).revision;
    const created = (await api.ok(CREATE_POD, { i: POD('tt', { labels: { v: '1' } }) })).createPod;
    const r1 = Number(created.metadata.resourceVersion);
    const r2 = Number((await api.ok(`mutation { patchPod(namespace: "default", name: "tt", patch: { metadata: { labels: { v: "2" } } }) { metadata { resourceVersion } } }`)).patchPod.metadata.resourceVersion);
    const r3 = Number((await api.ok(`mutation { patchPod(namespace: "default", name: "tt", patch: { metadata: { labels: { v: null, w: "3" } } }) { metadata { resourceVersion } } }`)).patchPod.metadata.resourceVersion);
    await api.ok(`mutation { deletePod(namespace: "default", name: "tt") { metadata { name } } }`);
    const recreated = (await api.ok(CREATE_POD, { i: POD('tt', { labels: { v: '5' } }) })).createPod;

    const at = async (r: number) => api.ok(AT, { r });
    expect((await at(before)).pod).toBeNull();
    expect((await at(before)).pods.edges).toEqual([]);
    expect((await at(r1)).pod.metadata).toMatchObject({ uid: created.metadata.uid, resourceVersion: String(r1), labels: { v: '1' } });
    expect((await at(r1)).pods.edges.map((e: any) => e.node.metadata.labels)).toEqual([{ v: '1' }]);
    expect((await at(r2)).pod.metadata.labels).toEqual({ v: '2' });
    expect((await at(r2)).pods.revision).toBe(r2);
    // At r3 the label v is gone: the label index is versioned too.
    expect((await at(r3)).pod.metadata.labels).toEqual({ w: '3' });
    expect((await at(r3)).pods.edges).toEqual([]);
    expect((await at(r3 + 1)).pod).toBeNull();
    const now = await api.ok(AT, {});
    expect(now.pod.metadata.uid).toBe(recreated.metadata.uid);
    expect(now.pod.metadata.uid).not.toBe(created.metadata.uid);
  });
});

describe('restart', () => {
  it('keeps state, revisions and uids', async () => {
    await api.ok(CREATE_POD, { i: POD('survivor', { labels: { keep: 'yes' } }) });
    const QUERY = `{ revision pods(first: 1000) { edges { node { manifest } } } namespaces { edges { node { manifest } } } }`;
    const before = await api.ok(QUERY);
    await api.restart();
    const after = await api.ok(QUERY);
    expect(after).toEqual(before);
    // The next write continues the same revision sequence.
    const next = (await api.ok(CREATE_POD, { i: POD('after-restart') })).createPod;
    expect(Number(next.metadata.resourceVersion)).toBe(before.revision + 1);
    // The system namespaces were not written again.
    const created = api.db().prepare(`SELECT count(*) AS n FROM events WHERE kind = 'Namespace' AND name = 'default'`).get() as { n: number };
    expect(created.n).toBe(1);
  });
});
