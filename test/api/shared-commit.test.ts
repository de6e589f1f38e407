/**
 * Mutations of one document share one commit (server/api/schema/shared-commit.ts), and the
 * document still behaves as GraphQL's serial execution: in order, each field seeing the ones before
 * it, and ending at the first field that fails, with nothing after it written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POD, startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ synchronous: 'DURABLE' });
});

afterAll(async () => {
  await api.close();
});

/** A document of one `createPod` per input, aliased m0, m1, ... */
function creates(n: number): string {
  const vars = Array.from({ length: n }, (_, i) => `$p${i}: PodInput!`).join(', ');
  const fields = Array.from({ length: n }, (_, i) => `m${i}: createPod(input: $p${i}) { metadata { name resourceVersion } }`).join(' ');
  return `mutation(${vars}) { ${fields} }`;
}

const inputs = (...names: string[]) => Object.fromEntries(names.map((name, i) => [`p${i}`, POD(name, { namespace: 'default' })]));

/** The group commit's batches so far: how many, and how many writes in all (its /metrics histogram). */
async function batches(): Promise<{ count: number; writes: number }> {
  const text = await (await fetch(api.server.url.replace(/\/graphql$/, '/metrics'))).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  return { count: value('kubeql_append_batch_writes_count'), writes: value('kubeql_append_batch_writes_sum') };
}

const podEvents = (prefix: string) =>
  api
    .db()
    .prepare(`SELECT revision, name, type FROM events WHERE kind = 'Pod' AND name LIKE ? ORDER BY revision`)
    .all(`${prefix}%`) as { revision: number; name: string; type: string }[];

describe('several mutations in one document', () => {
  it('commit as one group-commit transaction, in document order, each answered with its own revision', async () => {
    const before = await batches();
    const res = await api.gql(creates(5), inputs('one-0', 'one-1', 'one-2', 'one-3', 'one-4'));
    expect(res.errors).toBeUndefined();
    const after = await batches();
    expect(after.count - before.count).toBe(1);
    expect(after.writes - before.writes).toBe(5);
    const revisions = [0, 1, 2, 3, 4].map((i) => Number(res.data[`m${i}`].metadata.resourceVersion));
    expect(revisions).toEqual(revisions.map((_, i) => revisions[0] + i));
    expect(podEvents('one-').map((e) => [e.revision, e.name])).toEqual(revisions.map((r, i) => [r, `one-${i}`]));
  });

  it('run in order: a field sees the writes of the fields before it', async () => {
    const res = await api.gql(
      `mutation($ns: NamespaceInput!, $p: PodInput!) {
        a: createNamespace(input: $ns) { metadata { name } }
        b: createPod(input: $p) { metadata { name namespace } }
        c: patchPod(namespace: "order", name: "seen", patch: { metadata: { labels: { patched: "yes" } } }) { metadata { labels resourceVersion } }
      }`,
      { ns: { metadata: { name: 'order' } }, p: POD('seen', { namespace: 'order' }) },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.b.metadata).toEqual({ name: 'seen', namespace: 'order' });
    expect(res.data.c.metadata.labels).toEqual({ patched: 'yes' });
  });

  it('end at a field whose write fails: the fields before it are written, the ones after it are not', async () => {
    await api.ok(creates(1), inputs('stop-taken'));
    const res = await api.gql(creates(4), inputs('stop-a', 'stop-taken', 'stop-c', 'stop-d'));
    expect(res.data).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({ path: ['m1'], extensions: { code: 'ALREADY_EXISTS' } });
    expect(podEvents('stop-').map((e) => e.name)).toEqual(['stop-taken', 'stop-a']);
    // The revisions stay gap-free: the next write takes the one after stop-a's.
    const next = await api.ok(creates(1), inputs('stop-next'));
    const events = podEvents('stop-');
    expect(Number(next.m0.metadata.resourceVersion)).toBe(events[1].revision + 1);
  });

  it('end at a field refused before its write (bad input): the fields after it are not written', async () => {
    const bad = { metadata: { name: 'early-b', namespace: 'default' }, spec: { containers: [] } };
    const res = await api.gql(creates(3), { ...inputs('early-a'), p1: bad, p2: POD('early-c', { namespace: 'default' }) });
    expect(res.data).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({ path: ['m1'], extensions: { code: 'BAD_USER_INPUT' } });
    expect(podEvents('early-').map((e) => e.name)).toEqual(['early-a']);
  });

  it('a failing first field writes nothing of the document', async () => {
    const res = await api.gql(creates(3), { p0: { metadata: { name: 'first-a', namespace: 'nowhere' }, spec: POD('x').spec }, ...{ p1: POD('first-b', { namespace: 'default' }), p2: POD('first-c', { namespace: 'default' }) } });
    expect(res.data).toBeNull();
    expect(res.errors![0]).toMatchObject({ path: ['m0'], extensions: { code: 'NOT_FOUND' } });
    expect(podEvents('first-')).toEqual([]);
  });

  it('RBAC kinds keep one commit per field (a binding may change what the next field is allowed)', async () => {
    const before = await batches();
    const res = await api.gql(
      `mutation($r: RoleInput!, $p: PodInput!) { a: createRole(input: $r) { metadata { name } } b: createPod(input: $p) { metadata { name } } }`,
      { r: { metadata: { name: 'reader', namespace: 'default' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }, p: POD('after-role', { namespace: 'default' }) },
    );
    expect(res.errors).toBeUndefined();
    const after = await batches();
    expect(after.count - before.count).toBe(2);
  });
});
