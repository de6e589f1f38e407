/**
 * What one identity may see never reaches another: a restricted viewer and an admin run the same
 * subscription document (so the server may share one execution between subscribers), in both
 * orders of arrival; each receives only its own answer (Pod.node hidden from the viewer, Node.pods
 * showing the viewer only its namespace's pods).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { makeIdentity } from '../support/identities.js';
import { rawConnect, type RawConnection } from '../support/raw-ws.js';

let api: TestApi;
let viewer: string;

const POD_WATCH = `subscription { watch(kind: Pod, namespace: "ns-a") { type revision object { ... on Pod { metadata { name } node { metadata { name } } } } } }`;
const NODE_WATCH = `subscription { watch(kind: Node) { type revision object { ... on Node { metadata { name labels } pods { metadata { namespace name } } } } } }`;

const pod = (ns: string, name: string) =>
  api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, {
    i: { metadata: { name, namespace: ns }, spec: { containers: [{ name: 'c', image: 'i' }], nodeName: 'n1' } },
  });

beforeAll(async () => {
  api = await startTestApi();
  for (const ns of ['ns-a', 'ns-b']) await api.ok(`mutation { createNamespace(input: { metadata: { name: "${ns}" } }) { metadata { name } } }`);
  await api.ok(`mutation { createNode(input: { metadata: { name: "n1" } }) { metadata { name } } }`);
  await pod('ns-a', 'a1');
  await pod('ns-b', 'b1');
  // Pods of ns-a only; nodes listed and watched, but no `get` on a node (so Pod.node is hidden from it).
  viewer = await makeIdentity(api, 'viewer', [
    { namespace: 'ns-a', rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] },
    { namespace: '*', rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] }] },
  ]);
});
afterAll(() => api.close());

async function subscribed(token: string): Promise<RawConnection> {
  const conn = await rawConnect(api.server.url);
  await conn.init({ authorization: `Bearer ${token}` });
  conn.subscribe('pods', POD_WATCH);
  conn.subscribe('nodes', NODE_WATCH);
  // Live once the initial snapshot's BOOKMARK has come.
  for (const id of ['pods', 'nodes']) await conn.waitFor(() => conn.of(id).some((m) => m.payload?.data?.watch?.type === 'BOOKMARK' || m.type === 'error'));
  for (const id of ['pods', 'nodes']) expect(conn.of(id).filter((m) => m.type === 'error')).toEqual([]);
  return conn;
}

const at = (conn: RawConnection, id: string, revision: number) => conn.of(id).find((m) => m.payload?.data?.watch?.revision === revision)?.payload.data.watch;

/** Writes a pod on n1 and a label on n1, and returns what each connection received for them. */
async function trigger(conns: RawConnection[], podName: string, label: string) {
  await pod('ns-a', podName);
  const podRevision = (await api.ok('{ revision }')).revision;
  await api.ok(`mutation($p: JSON!) { patchNode(name: "n1", patch: $p) { metadata { name } } }`, { p: { metadata: { labels: { step: label } } } });
  const nodeRevision = (await api.ok('{ revision }')).revision;
  for (const conn of conns) await conn.waitFor(() => at(conn, 'pods', podRevision) !== undefined && at(conn, 'nodes', nodeRevision) !== undefined);
  return conns.map((conn) => ({
    podNode: at(conn, 'pods', podRevision).object.node,
    nodePods: at(conn, 'nodes', nodeRevision)
      .object.pods.map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`)
      .sort(),
  }));
}

describe('one subscription document under two identities', () => {
  it.each([
    ['the admin subscribes first', true],
    ['the viewer subscribes first', false],
  ])('%s: neither receives the other one’s result', async (_, adminFirst) => {
    const first = await subscribed(adminFirst ? api.token : viewer);
    const second = await subscribed(adminFirst ? viewer : api.token);
    const [admin, restricted] = adminFirst ? [first, second] : [second, first];
    const name = adminFirst ? 'p1' : 'p2';
    const [seenByAdmin, seenByViewer] = await trigger([admin, restricted], name, name);
    expect(seenByAdmin.podNode).toEqual({ metadata: { name: 'n1' } });
    expect(seenByViewer.podNode).toBeNull();
    expect(seenByAdmin.nodePods).toContain('ns-b/b1');
    expect(seenByAdmin.nodePods).toContain(`ns-a/${name}`);
    expect(seenByViewer.nodePods.every((p: string) => p.startsWith('ns-a/'))).toBe(true);
    expect(seenByViewer.nodePods).toContain(`ns-a/${name}`);
    first.close();
    second.close();
  });

  it('two subscribers of one identity receive the same answer', async () => {
    const [one, two] = [await subscribed(viewer), await subscribed(viewer)];
    const [a, b] = await trigger([one, two], 'p3', 'p3');
    expect(a).toEqual(b);
    expect(a.podNode).toBeNull();
    one.close();
    two.close();
  });
});
