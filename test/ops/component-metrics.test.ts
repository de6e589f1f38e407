/**
 * The controller-manager, the scheduler and the agents each serve their own metrics on
 * `--metrics-port`: after a ReplicaSet of 3 and a pod that fits nowhere, the reconciles, the
 * scheduling attempts by result and the pods per phase per node show it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { eventually, startComponent, stopAllComponents, type Component } from '../support/processes.js';
import { changed, sample, scrape } from '../support/prometheus.js';

let api: TestApi;
const urls: Record<string, string> = {};
const components: Record<string, Component> = {};

const metricsUrl = (c: Component) => eventually(() => /metrics at (http:\/\/[^\s"]+\/metrics)/.exec(c.output())?.[1], 30_000, () => c.output());

beforeAll(async () => {
  api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
  const client = ['--server', api.server.url, '--token', api.token, '--metrics-port', '0'];
  components.controllers = startComponent('controllers/main.ts', client);
  components.scheduler = startComponent('scheduler/main.ts', [...client, '--initial-backoff-ms', '100', '--max-backoff-ms', '500']);
  components.agents = startComponent('agent/main.ts', [...client, '--nodes', '1', '--prefix', 'm-node-', '--zones', '0']);
  for (const [name, c] of Object.entries(components)) urls[name] = (await metricsUrl(c))!;
  await eventually(() => components.agents.output().includes('all 1 nodes registered'), 30_000, () => components.agents.output());
}, 60_000);

afterAll(async () => {
  await stopAllComponents();
  await api?.close();
});

describe('component metrics', () => {
  it('count reconciles, scheduling attempts by result, and pods per phase per node', async () => {
    const before = { controllers: await scrape(urls.controllers), scheduler: await scrape(urls.scheduler) };
    await api.ok(`mutation($i: ReplicaSetInput!) { createReplicaSet(input: $i) { metadata { name } } }`, {
      i: {
        metadata: { name: 'web', namespace: 'default' },
        spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
      },
    });
    await api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, {
      i: { metadata: { name: 'nowhere', namespace: 'default' }, spec: { nodeSelector: { absent: 'label' }, containers: [{ name: 'c', image: 'nginx' }] } },
    });

    // The agent runs the three pods of the ReplicaSet on its node.
    const agents = (await eventually(async () => {
      const s = await scrape(urls.agents);
      return sample(s, 'kubeql_agent_pods', { node: 'm-node-0', phase: 'Running' }) === 3 ? s : undefined;
    }, 30_000))!;
    expect(sample(agents, 'kubeql_agent_pods', { node: 'm-node-0', phase: 'Failed' })).toBe(0);

    // Three binds and at least one unschedulable attempt, each timed.
    const scheduler = (await eventually(async () => {
      const s = await scrape(urls.scheduler);
      return changed(before.scheduler, s, 'kubeql_scheduler_schedule_attempts_total')['kubeql_scheduler_schedule_attempts_total{result="unschedulable"}'] ? s : undefined;
    }, 10_000))!;
    const attempts = changed(before.scheduler, scheduler, 'kubeql_scheduler_schedule_attempts_total');
    expect(attempts['kubeql_scheduler_schedule_attempts_total{result="scheduled"}']).toBe(3);
    expect(attempts['kubeql_scheduler_schedule_attempts_total{result="error"}']).toBeUndefined();
    for (const result of ['scheduled', 'unschedulable'])
      expect(sample(scheduler, 'kubeql_scheduler_scheduling_attempt_duration_seconds_count', { result })).toBe(sample(scheduler, 'kubeql_scheduler_schedule_attempts_total', { result }));
    expect(sample(scheduler, 'kubeql_scheduler_pending_pods', { queue: 'unschedulable' })).toBe(1);

    // The ReplicaSet controller reconciled, and its queue is drained.
    const controllers = await scrape(urls.controllers);
    expect(changed(before.controllers, controllers, 'kubeql_controller_reconcile_duration_seconds_count')['kubeql_controller_reconcile_duration_seconds_count{controller="replicaset"}']).toBeGreaterThan(0);
    expect(sample(controllers, 'kubeql_controller_work_queue_depth', { controller: 'replicaset' })).toBe(0);
    expect([...controllers.keys()].some((k) => k.startsWith('kubeql_controller_work_queue_depth{controller="endpoints"}'))).toBe(true);
  }, 60_000);
});
