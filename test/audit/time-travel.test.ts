import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_POD, POD, startTestApi, type TestApi } from '../support/api.js';

const AT = `query($r: Revision) {
  pod(namespace: "tt", name: "web", atRevision: $r) { metadata { uid labels resourceVersion } spec { nodeName } node { metadata { uid labels } } }
  node(name: "n1", atRevision: $r) { metadata { uid labels } pods { metadata { name uid } } }
  pods(namespace: "tt", atRevision: $r) { edges { node { metadata { name uid } node { metadata { uid } } } } revision }
  nodes(labelSelector: "gen", atRevision: $r) { edges { node { metadata { name labels } } } }
}`;

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const rev = (o: any) => Number(o.metadata.resourceVersion);

describe('atRevision across create, update, delete and re-create', () => {
  it('reads objects, lists and relations as they were at each revision', async () => {
    await api.ok(`mutation { createNamespace(input: { metadata: { name: "tt" } }) { metadata { name } } }`);
    const before = (await api.ok('{ revision }')).revision;
    const n1 = (await api.ok(`mutation { createNode(input: { metadata: { name: "n1", labels: { gen: "1" } } }) { metadata { uid resourceVersion } } }`)).createNode;
    const p1 = (await api.ok(CREATE_POD, { i: POD('web', { namespace: 'tt', labels: { v: '1' } }) })).createPod;
    const bound = (await api.ok(`mutation { bindPod(namespace: "tt", name: "web", nodeName: "n1") { metadata { resourceVersion } } }`)).bindPod;
    const relabeled = (await api.ok(`mutation { patchNode(name: "n1", patch: { metadata: { labels: { gen: "1b" } } }) { metadata { resourceVersion } } }`)).patchNode;
    const nodeGone = (await api.ok(`mutation { deleteNode(name: "n1") { metadata { resourceVersion } } }`)).deleteNode;
    const n2 = (await api.ok(`mutation { createNode(input: { metadata: { name: "n1", labels: { gen: "2" } } }) { metadata { uid resourceVersion } } }`)).createNode;
    const podGone = (await api.ok(`mutation { deletePod(namespace: "tt", name: "web", gracePeriodSeconds: 0) { metadata { resourceVersion } } }`)).deletePod;
    const p2 = (await api.ok(CREATE_POD, { i: POD('web', { namespace: 'tt', labels: { v: '2' } }) })).createPod;

    const at = (r: number) => api.ok(AT, { r });

    let s = await at(before);
    expect([s.pod, s.node, s.pods.edges, s.nodes.edges]).toEqual([null, null, [], []]);

    s = await at(rev(n1));
    expect(s.node.metadata).toEqual({ uid: n1.metadata.uid, labels: { gen: '1' } });
    expect(s.node.pods).toEqual([]);
    expect(s.pod).toBeNull();

    s = await at(rev(p1));
    expect(s.pod.spec.nodeName ?? null).toBeNull();
    expect(s.pod.node).toBeNull();

    s = await at(rev(bound));
    expect(s.pod.spec.nodeName).toBe('n1');
    expect(s.pod.node.metadata).toEqual({ uid: n1.metadata.uid, labels: { gen: '1' } });
    expect(s.node.pods).toEqual([{ metadata: { name: 'web', uid: p1.metadata.uid } }]);
    expect(s.pods.edges[0].node.node.metadata.uid).toBe(n1.metadata.uid);

    s = await at(rev(relabeled));
    expect(s.pod.node.metadata.labels).toEqual({ gen: '1b' });
    expect(s.nodes.edges.map((e: any) => e.node.metadata.labels)).toEqual([{ gen: '1b' }]);

    // The node is gone: the pod still names it, its relation resolves to nothing.
    s = await at(rev(nodeGone));
    expect(s.node).toBeNull();
    expect(s.pod.spec.nodeName).toBe('n1');
    expect(s.pod.node).toBeNull();
    expect(s.nodes.edges).toEqual([]);

    // A new node under the same name: a different uid, its own labels, and the pod that names it.
    s = await at(rev(n2));
    expect(s.pod.node.metadata).toEqual({ uid: n2.metadata.uid, labels: { gen: '2' } });
    expect(s.node.pods.map((p: any) => p.metadata.uid)).toEqual([p1.metadata.uid]);

    s = await at(rev(podGone));
    expect(s.pod).toBeNull();
    expect(s.pods.edges).toEqual([]);
    expect(s.node.pods).toEqual([]);

    s = await at(rev(p2));
    expect(s.pod.metadata).toMatchObject({ uid: p2.metadata.uid, labels: { v: '2' } });
    expect(s.pod.node).toBeNull();
    expect(s.pods.revision).toBe(rev(p2));

    // Earlier revisions still answer as before, after all of it.
    s = await at(rev(bound));
    expect(s.pod.metadata.uid).toBe(p1.metadata.uid);
    expect(s.pod.node.metadata.uid).toBe(n1.metadata.uid);
  });

  it('answers BAD_USER_INPUT above the head and EXPIRED below the floor, for reads and relations alike', async () => {
    const head = (await api.ok('{ revision }')).revision;
    expect((await api.gql(AT, { r: head + 10 })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'atRevision' });
    api.server.store.compact(head - 2);
    expect((await api.gql(AT, { r: head - 3 })).errors?.[0].extensions?.code).toBe('EXPIRED');
    const s = await api.ok(AT, { r: head - 2 });
    expect(s.pod).not.toBeNull();
  });
});
