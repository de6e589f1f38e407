/**
 * Killing a node agent process: the node-lifecycle controller sees its Lease go quiet, marks the
 * node Ready=Unknown and evicts its pods; the ReplicaSet controller replaces them and the
 * scheduler puts the replacements on the nodes still alive (short timeouts here).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { eventually, startComponent, stopAllComponents, type Component } from '../support/processes.js';

const NS = 'failure';
let api: TestApi;
let controllers: Component;
let doomed: Component;

const pods = async () => (await api.ok(`{ pods(namespace: "${NS}") { edges { node { manifest } } } }`)).pods.edges.map((e: any) => e.node.manifest);
const readyStatus = async (name: string) =>
  (await api.ok(`query($n: String!) { node(name: $n) { manifest } }`, { n: name })).node.manifest.status.conditions.find((c: any) => c.type === 'Ready')?.status;

beforeAll(async () => {
  api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
  await api.ok(`mutation { createNamespace(input: { metadata: { name: "${NS}" } }) { metadata { name } } }`);
  const server = ['--server', api.server.url];
  controllers = startComponent('controllers/main.ts', [...server, '--node-monitor-grace-period-ms', '2000', '--pod-eviction-timeout-ms', '1000']);
  startComponent('scheduler/main.ts', [...server, '--initial-backoff-ms', '200', '--max-backoff-ms', '1000']);
  const lease = ['--lease-interval-ms', '300', '--zones', '3'];
  doomed = startComponent('agent/main.ts', [...server, '--nodes', '1', '--prefix', 'doomed-', ...lease]);
  const kept = startComponent('agent/main.ts', [...server, '--nodes', '2', '--prefix', 'kept-', ...lease]);
  for (const c of [doomed, kept]) await eventually(() => c.output().includes('nodes registered'), 20_000, () => c.output());
  await eventually(() => /controller-manager: .*against/.test(controllers.output()), 20_000, () => controllers.output());
});

afterAll(async () => {
  await stopAllComponents();
  await api?.close();
});

it("a killed agent's node goes Ready=Unknown and its pods move to the other nodes", async (ctx) => {
  const names = controllers.output();
  if (!/replica ?set/i.test(names) || !/node.?lifecycle/i.test(names)) {
    // Needs the ReplicaSet and node-lifecycle controllers (another issue); marked skipped until they are registered.
    ctx.skip();
  }
  await api.ok(`mutation($i: ReplicaSetInput!) { createReplicaSet(input: $i) { metadata { name } } }`, {
    i: {
      metadata: { name: 'app', namespace: NS },
      spec: { replicas: 6, selector: { matchLabels: { app: 'app' } }, template: { metadata: { labels: { app: 'app' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
    },
  });
  const before = await eventually(async () => {
    const all = await pods();
    return all.length === 6 && all.every((p: any) => p.status.phase === 'Running') ? all : undefined;
  }, 20_000);
  const lost = before.filter((p: any) => p.spec.nodeName === 'doomed-0').map((p: any) => p.metadata.name);
  expect(lost.length).toBeGreaterThan(0); // spreading put some there

  doomed.kill();
  await eventually(async () => (await readyStatus('doomed-0')) === 'Unknown', 10_000);
  // As Kubernetes' node controller records it: on the Node, and on each of its pods.
  const events = async (kind: string, name: string) =>
    (await api.ok(`query($s: String) { events(fieldSelector: $s) { edges { node { reason message type source { component } } } } }`, { s: `involvedObject.kind=${kind},involvedObject.name=${name}` })).events.edges.map((e: any) => e.node);
  await eventually(async () => (await events('Node', 'doomed-0')).some((e: any) => e.reason === 'NodeNotReady' && e.message === 'Node doomed-0 status is now: NodeNotReady'), 10_000);
  await eventually(async () => (await events('Pod', lost[0])).some((e: any) => e.reason === 'NodeNotReady' && e.type === 'Warning' && e.message === 'Node is not ready'), 10_000);
  const after = await eventually(async () => {
    const all = await pods();
    const running = all.filter((p: any) => p.status.phase === 'Running' && !p.metadata.deletionTimestamp);
    return running.length === 6 && running.every((p: any) => p.spec.nodeName !== 'doomed-0') ? running : undefined;
  }, 20_000);
  for (const name of lost) expect(after.map((p: any) => p.metadata.name)).not.toContain(name);
  expect(new Set(after.map((p: any) => p.spec.nodeName))).toEqual(new Set(['kept-0', 'kept-1']));
  expect(await readyStatus('kept-0')).toBe('True');
});
