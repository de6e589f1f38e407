import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { makeIdentity } from '../support/identities.js';
import { rawConnect } from '../support/raw-ws.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
  for (const ns of ['mine', 'theirs']) await api.ok(`mutation { createNamespace(input: { metadata: { name: "${ns}" } }) { metadata { name } } }`);
});
afterAll(() => api.close());

const pod = (ns: string, name: string, labels: Record<string, string> = {}, nodeName?: string) =>
  api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, { i: { metadata: { name, namespace: ns, labels }, spec: { containers: [{ name: 'c', image: 'i' }], nodeName } } });

describe('a namespace-scoped identity', () => {
  it('watching all pods receives none from another namespace, across label changes and deletes', async () => {
    const token = await makeIdentity(api, 'watcher', [{ namespace: 'mine', rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['watch', 'list', 'get'] }] }]);
    await pod('theirs', 'before');
    const conn = await rawConnect(api.server.url);
    await conn.init({ authorization: `Bearer ${token}` });
    conn.subscribe('1', `subscription { watch(kind: Pod, labelSelector: "app") { type revision object { ... on Pod { metadata { namespace name } } } } }`);
    await pod('mine', 'a', { app: 'x' });
    await pod('theirs', 'b', { app: 'x' });
    await api.ok(`mutation { patchPod(namespace: "theirs", name: "b", patch: { metadata: { labels: { app: null } } }) { metadata { name } } }`);
    await api.ok(`mutation { patchPod(namespace: "theirs", name: "b", patch: { metadata: { labels: { app: "y" } } }) { metadata { name } } }`);
    await api.ok(`mutation { deletePod(namespace: "theirs", name: "b") { metadata { name } } }`);
    await api.ok(`mutation { deletePod(namespace: "mine", name: "a") { metadata { name } } }`);
    const head = (await api.ok('{ revision }')).revision;
    await conn.waitFor(() => conn.of('1').some((m) => m.payload?.data?.watch?.revision === head));
    await new Promise((r) => setTimeout(r, 300)); // and nothing else trails in
    const events = conn.of('1').map((m) => m.payload?.data?.watch).filter((w) => w && w.type !== 'BOOKMARK');
    expect(events.map((w: any) => [w.type, w.object.metadata.namespace, w.object.metadata.name])).toEqual([
      ['ADDED', 'mine', 'a'],
      ['DELETED', 'mine', 'a'],
    ]);
    // Asking for the other namespace outright is FORBIDDEN.
    conn.subscribe('2', `subscription { watch(kind: Pod, namespace: "theirs") { type } }`);
    await conn.waitFor(() => conn.of('2').some((m) => m.type === 'error'));
    expect(conn.of('2')[0].payload[0].extensions.code).toBe('FORBIDDEN');
    conn.close();
  });

  it('a WebSocket without a valid token is closed with 4403', async () => {
    const conn = await rawConnect(api.server.url);
    conn.send({ type: 'connection_init', payload: { authorization: 'Bearer nope' } });
    expect((await conn.closed).code).toBe(4403);
  });
});

describe('a node agent (system:node:<name>)', () => {
  it("writes its own Node, Lease and its pods' status, and cannot touch another node's pods", async () => {
    const issue = async (node: string) => (await api.ok(`mutation { createNodeToken(nodeName: "${node}") { token identity } }`)).createNodeToken;
    const n1 = await issue('n1');
    expect(n1.identity).toBe('system:node:n1');
    const as = (q: string, v?: Record<string, unknown>) => api.gqlAs(n1.token, q, v);
    const code = async (q: string, v?: Record<string, unknown>) => (await as(q, v)).errors?.[0]?.extensions?.code ?? 'OK';

    expect(await code(`mutation { createNode(input: { metadata: { name: "n1" } }) { metadata { name } } }`)).toBe('OK');
    expect(await code(`mutation { createNode(input: { metadata: { name: "n2" } }) { metadata { name } } }`)).toBe('FORBIDDEN');
    expect(await code(`mutation { updateNodeStatus(name: "n1", status: { conditions: [{ type: "Ready", status: "True" }] }) { metadata { name } } }`)).toBe('OK');
    expect(await code(`mutation { createLease(input: { metadata: { name: "n1", namespace: "kube-node-lease" }, spec: { holderIdentity: "n1" } }) { metadata { name } } }`)).toBe('OK');
    expect(await code(`mutation { createLease(input: { metadata: { name: "n2", namespace: "kube-node-lease" }, spec: { holderIdentity: "n2" } }) { metadata { name } } }`)).toBe('FORBIDDEN');

    await pod('mine', 'on-n1', {}, 'n1');
    await pod('mine', 'on-n2', {}, 'n2');
    const before = api.db().prepare('SELECT max(revision) AS r FROM events').get() as { r: number };
    expect(await code(`mutation { updatePodStatus(namespace: "mine", name: "on-n2", status: { phase: "Running" }) { metadata { name } } }`)).toBe('FORBIDDEN');
    expect(await code(`mutation { deletePod(namespace: "mine", name: "on-n2", gracePeriodSeconds: 0) { metadata { name } } }`)).toBe('FORBIDDEN');
    expect(await code(`mutation { patchPod(namespace: "mine", name: "on-n1", patch: { metadata: { labels: { x: "y" } } }) { metadata { name } } }`)).toBe('FORBIDDEN');
    expect(await code(`mutation { createPod(input: { metadata: { name: "sneaky", namespace: "mine" }, spec: { containers: [{ name: "c", image: "i" }] } }) { metadata { name } } }`)).toBe('FORBIDDEN');
    expect(await code(`mutation { createNodeToken(nodeName: "n2") { token } }`)).toBe('FORBIDDEN');
    expect((api.db().prepare('SELECT max(revision) AS r FROM events').get() as { r: number }).r).toBe(before.r);
    expect(await code(`mutation { updatePodStatus(namespace: "mine", name: "on-n1", status: { phase: "Running" }) { metadata { name } } }`)).toBe('OK');
    expect(await code(`mutation { deletePod(namespace: "mine", name: "on-n1", gracePeriodSeconds: 0) { metadata { name } } }`)).toBe('OK');
    // It reads what a kubelet reads.
    expect(await code(`{ pods(fieldSelector: "spec.nodeName=n1") { revision } services { revision } }`)).toBe('OK');
  });
});
