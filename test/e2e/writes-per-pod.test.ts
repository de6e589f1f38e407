/**
 * The writes a pod costs, as Kubernetes makes them: a ReplicaSet's pods taken from create to
 * Running by the real controller-manager, scheduler and node agents (per-node identities, as
 * `npm start` runs them), at a reduced size; every event of every pod in the log is counted. And
 * while every node heartbeats, no pod is evicted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { eventually, startComponent, stopAllComponents } from '../support/processes.js';

const NODES = Number(process.env.KUBEQL_TEST_NODES ?? 40);
const REPLICAS = Number(process.env.KUBEQL_TEST_PODS ?? 400);
const NS = 'wpp';
/**
 * The bound: create (ReplicaSet controller), bind (scheduler), one status write by the node's agent
 * (Running: IP, containers, Ready). A pod the scheduler first found no room for adds its
 * PodScheduled=False status; none here (room for every pod).
 */
const WRITES_PER_POD = 3;
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ watch: { bookmarkIntervalMs: 500 } });
  await api.ok(`mutation { createNamespace(input: { metadata: { name: "${NS}" } }) { metadata { name } } }`);
  const server = ['--server', api.server.url];
  startComponent('controllers/main.ts', server);
  startComponent('scheduler/main.ts', server);
  const agents = startComponent('agent/main.ts', [...server, '--nodes', String(NODES), '--zones', '3', '--node-tokens', '--pods', '110']);
  await eventually(() => agents.output().includes(`all ${NODES} nodes registered`), 120_000, () => agents.output());
}, 180_000);

afterAll(async () => {
  await stopAllComponents();
  await api?.close();
});

describe(`${NODES} nodes, a ReplicaSet of ${REPLICAS}`, () => {
  it(`every pod reaches Running with at most ${WRITES_PER_POD} writes; no pod is evicted while every node heartbeats`, async () => {
    const from = (api.db().prepare('SELECT max(revision) AS r FROM events').get() as { r: number }).r;
    await api.ok(`mutation($i: ReplicaSetInput!) { createReplicaSet(input: $i) { metadata { name } } }`, {
      i: {
        metadata: { name: 'web', namespace: NS },
        spec: {
          replicas: REPLICAS,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
        },
      },
    });
    const running = () => (api.db().prepare(`SELECT count(*) AS n FROM objects WHERE kind = 'Pod' AND namespace = ? AND to_rev IS NULL AND phase = 'Running'`).get(NS) as { n: number }).n;
    await eventually(() => running() === REPLICAS, 300_000, () => `${running()} of ${REPLICAS} Running`);
    // A little longer, for any late status rewrite to show.
    await new Promise((r) => setTimeout(r, 3000));
    const rows = api.db().prepare(`SELECT name, verb, actor, count(*) AS n FROM events WHERE kind = 'Pod' AND namespace = ? AND revision > ? GROUP BY name, verb, actor`).all(NS, from) as Array<{ name: string; verb: string; actor: string; n: number }>;
    const perPod = new Map<string, number>();
    const byVerb = new Map<string, number>();
    for (const r of rows) {
      perPod.set(r.name, (perPod.get(r.name) ?? 0) + r.n);
      byVerb.set(`${r.verb} by ${r.actor.replace(/^system:node:.*/, 'system:node:*')}`, (byVerb.get(`${r.verb} by ${r.actor.replace(/^system:node:.*/, 'system:node:*')}`) ?? 0) + r.n);
    }
    const deletes = rows.filter((r) => r.verb === 'delete').length;
    expect(deletes, JSON.stringify(Object.fromEntries(byVerb))).toBe(0); // nothing evicted, nothing recreated
    expect(perPod.size).toBe(REPLICAS);
    const worst = Math.max(...perPod.values());
    console.log(`writes per pod: worst ${worst}, mean ${([...perPod.values()].reduce((a, b) => a + b, 0) / perPod.size).toFixed(2)}; ${JSON.stringify(Object.fromEntries(byVerb))}`);
    expect(worst, JSON.stringify(Object.fromEntries(byVerb))).toBeLessThanOrEqual(WRITES_PER_POD);
    const taints = api.db().prepare(`SELECT count(*) AS n FROM events WHERE kind = 'Node' AND revision > ? AND object LIKE '%node.kubernetes.io/unreachable%'`).get(from) as { n: number };
    expect(taints.n).toBe(0);
  }, 400_000);
});
