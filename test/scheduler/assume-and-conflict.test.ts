/**
 * The scheduler's cache assumes a pod on its node the moment it decides, so a watch that lags far
 * behind (here: 800 ms, through a proxy) never lets two pods over-commit a node; and a bind whose
 * resourceVersion went stale answers CONFLICT, which requeues the pod until it binds.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { createNode, placements, podScheduled } from '../support/nodes.js';
import { eventually, startComponent, stopAllComponents, type Component } from '../support/processes.js';
import { startSlowWatchProxy, type SlowWatchProxy } from '../support/slow-watch-proxy.js';

const NS = 'slow';
const LAG_MS = 800;
let api: TestApi;
let proxy: SlowWatchProxy;
let scheduler: Component;

const createPod = (name: string, cpu: string) =>
  api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { resourceVersion } } }`, {
    i: { metadata: { name, namespace: NS }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu } } }] } },
  });

beforeAll(async () => {
  api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
  await api.ok(`mutation { createNamespace(input: { metadata: { name: "${NS}" } }) { metadata { name } } }`);
  await createNode(api, 'only', { cpu: '1' });
  proxy = await startSlowWatchProxy(api.server.url, LAG_MS);
  scheduler = startComponent('scheduler/main.ts', ['--server', proxy.url, '--initial-backoff-ms', '100', '--max-backoff-ms', '400'], { LOG_LEVEL: 'debug' });
  await eventually(() => scheduler.output().includes('synced'), 20_000);
});

afterAll(async () => {
  await stopAllComponents();
  await proxy?.close();
  await api?.close();
});

it('two pods decided before the watch shows the first one bound: the second is not put on the full node', async () => {
  await createPod('first', '600m');
  await createPod('second', '600m');
  await eventually(async () => Object.values(await placements(api, NS)).filter(Boolean).length === 1, 10_000);
  await eventually(async () => (await podScheduled(api, NS, 'second'))?.reason === 'Unschedulable' || (await podScheduled(api, NS, 'first'))?.reason === 'Unschedulable', 10_000);
  const binds = api.db().prepare(`SELECT name FROM events WHERE kind = 'Pod' AND verb = 'bind'`).all();
  expect(binds).toHaveLength(1);
  const pending = (await placements(api, NS)).first ? 'second' : 'first';
  expect((await podScheduled(api, NS, pending))?.message).toBe('0/1 nodes are available: 1 Insufficient cpu.');
});

it('a bind with a stale resourceVersion gets CONFLICT and the pod is tried again until it binds', async () => {
  await api.ok(`mutation { deletePod(namespace: "${NS}", name: "first", gracePeriodSeconds: 0) { metadata { name } } }`);
  await api.ok(`mutation { deletePod(namespace: "${NS}", name: "second", gracePeriodSeconds: 0) { metadata { name } } }`);
  await createPod('changing', '100m');
  // Changed after the create but before the scheduler's lagging watch shows the pod (and apart from
  // it, so the two arrive separately): the version it binds with is already old.
  await new Promise((r) => setTimeout(r, LAG_MS / 3));
  await api.ok(`mutation { patchPod(namespace: "${NS}", name: "changing", patch: { metadata: { labels: { touched: "yes" } } }) { metadata { name } } }`);
  await eventually(async () => (await placements(api, NS)).changing === 'only', 10_000);
  expect(scheduler.output()).toMatch(/bind slow\/changing to only failed \(CONFLICT\)/);
  const events = api.db().prepare(`SELECT verb, object FROM events WHERE kind = 'Pod' AND name = 'changing' ORDER BY revision`).all() as Array<{ verb: string; object: string }>;
  expect(events.map((e) => e.verb)).toEqual(['create', 'patch', 'bind']);
  expect(JSON.parse(events[2].object).metadata.labels).toEqual({ touched: 'yes' });
});
