/**
 * The scheduler as its own process against a real API server; the test plays the node agents
 * (registers Nodes with allocatable and Ready) and the users (creates pods). Each filter, the
 * scores, the unschedulable message, and retries when the cluster changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { createNode, placements, podScheduled } from '../support/nodes.js';
import { eventually, startComponent, stopAllComponents, type Component } from '../support/processes.js';

const NS = 'sched';
let api: TestApi;
let scheduler: Component;

async function createPod(name: string, spec: Record<string, unknown> = {}, extra: { requests?: Record<string, string>; owner?: string } = {}) {
  await api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, {
    i: {
      metadata: { name, namespace: NS, ownerReferences: extra.owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'owner', uid: extra.owner, controller: true }] : undefined },
      spec: { containers: [{ name: 'c', image: 'nginx:1.27', resources: extra.requests ? { requests: extra.requests } : undefined }], ...spec },
    },
  });
}

const boundTo = (name: string) => eventually(async () => (await placements(api, NS))[name], 10_000, () => `(${name} not bound)`);
const unschedulableMessage = (name: string) =>
  eventually(async () => {
    const c = await podScheduled(api, NS, name);
    return c?.status === 'False' && c.reason === 'Unschedulable' ? c.message : undefined;
  }, 10_000, () => `(${name} has no Unschedulable condition)`);

const affinity = (...matchExpressions: unknown[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] } } } });
const zone = (z: string) => ({ 'topology.kubernetes.io/zone': z });

beforeAll(async () => {
  api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
  await api.ok(`mutation { createNamespace(input: { metadata: { name: "${NS}" } }) { metadata { name } } }`);
  await createNode(api, 'a1', { labels: { ...zone('zone-a'), disk: 'ssd', gen: '3' }, cpu: '2', memory: '4Gi' });
  await createNode(api, 'b1', { labels: { ...zone('zone-b'), disk: 'hdd', gen: '5' }, cpu: '2', memory: '4Gi' });
  await createNode(api, 'c1', { labels: zone('zone-c'), taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
  await createNode(api, 'd1', { labels: zone('zone-d'), unschedulable: true });
  await createNode(api, 'e1', { labels: zone('zone-e'), ready: 'False' });
  await createNode(api, 'f1', { labels: zone('zone-f'), taints: [{ key: 'maint', effect: 'NoExecute' }] });
  scheduler = startComponent('scheduler/main.ts', ['--server', api.server.url, '--initial-backoff-ms', '100', '--max-backoff-ms', '500'], { LOG_LEVEL: 'debug' });
});

afterAll(async () => {
  await stopAllComponents();
  await api?.close();
});

describe('scores', () => {
  it('least allocated: a pod goes to the node with more room', async () => {
    await createPod('heavy', { nodeSelector: { disk: 'ssd' } }, { requests: { cpu: '1' } });
    expect(await boundTo('heavy')).toBe('a1');
    await createPod('light', {}, { requests: { cpu: '100m' } });
    // Only a1 and b1 take plain pods (c1 and f1 are tainted, d1 cordoned, e1 not ready); b1 is emptier.
    expect(await boundTo('light')).toBe('b1');
  });

  it('spreading: pods of one owner share the nodes, though least-allocated alone would put them all on b1', async () => {
    for (let i = 0; i < 4; i++) {
      await createPod(`owned-${i}`, {}, { owner: 'rs-uid-1' });
      await boundTo(`owned-${i}`); // one at a time, so each decision sees the last
    }
    const where = await placements(api, NS);
    const counts = [0, 1, 2, 3].map((i) => where[`owned-${i}`]).reduce<Record<string, number>>((acc, n) => ({ ...acc, [n!]: (acc[n!] ?? 0) + 1 }), {});
    expect(counts).toEqual({ a1: 2, b1: 2 });
  });
});

describe('filters', () => {
  it('nodeSelector', async () => {
    await createPod('sel-ssd', { nodeSelector: { disk: 'ssd' } });
    expect(await boundTo('sel-ssd')).toBe('a1');
  });

  it('required node affinity: In, NotIn, Exists, DoesNotExist, Gt, Lt', async () => {
    await createPod('aff-in', affinity({ key: 'disk', operator: 'In', values: ['hdd'] }));
    await createPod('aff-gt', affinity({ key: 'gen', operator: 'Gt', values: ['4'] }));
    await createPod('aff-lt', affinity({ key: 'gen', operator: 'Lt', values: ['4'] }));
    await createPod('aff-exists-notin', affinity({ key: 'disk', operator: 'Exists' }, { key: 'disk', operator: 'NotIn', values: ['ssd'] }));
    await createPod('aff-doesnotexist', { ...affinity({ key: 'disk', operator: 'DoesNotExist' }), tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] });
    expect(await boundTo('aff-in')).toBe('b1');
    expect(await boundTo('aff-gt')).toBe('b1');
    expect(await boundTo('aff-lt')).toBe('a1');
    expect(await boundTo('aff-exists-notin')).toBe('b1');
    // Without a disk label: c1 (its taint tolerated), d1 cordoned, e1 not ready, f1's NoExecute taint untolerated.
    expect(await boundTo('aff-doesnotexist')).toBe('c1');
  });

  it('a pod that fits nowhere: PodScheduled=False, Unschedulable, every node\'s reason counted and sorted as Kubernetes words it', async () => {
    await createPod('nowhere', affinity({ key: 'disk', operator: 'DoesNotExist' }));
    expect(await unschedulableMessage('nowhere')).toBe(
      '0/6 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) had untolerated taint {maint: }, 1 node(s) were not ready, 1 node(s) were unschedulable, ' +
        "2 node(s) didn't match Pod's node affinity/selector.",
    );
    const pod = await api.ok(`{ pod(namespace: "${NS}", name: "nowhere") { spec { nodeName } status { phase } } }`);
    expect(pod.pod).toEqual({ spec: { nodeName: null }, status: { phase: 'Pending' } });
  });

  it('taints: NoSchedule and NoExecute need tolerations', async () => {
    await createPod('to-f1', { nodeSelector: { 'kubernetes.io/hostname': 'f1' }, tolerations: [{ key: 'maint', operator: 'Exists', effect: 'NoSchedule' }] });
    expect(await unschedulableMessage('to-f1')).toMatch(/1 node\(s\) had untolerated taint \{maint: \}/);
    await createPod('to-f1-tolerant', { nodeSelector: { 'kubernetes.io/hostname': 'f1' }, tolerations: [{ key: 'maint', operator: 'Exists', effect: 'NoExecute' }] });
    expect(await boundTo('to-f1-tolerant')).toBe('f1');
    await createPod('to-c1', { nodeSelector: { 'kubernetes.io/hostname': 'c1' } });
    expect(await unschedulableMessage('to-c1')).toMatch(/1 node\(s\) had untolerated taint \{dedicated: gpu\}/);
  });

  it('an unschedulable (cordoned) node takes only pods that tolerate it; a not-ready node none', async () => {
    await createPod('to-d1', { nodeSelector: { 'kubernetes.io/hostname': 'd1' }, tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
    expect(await boundTo('to-d1')).toBe('d1');
    await createPod('to-e1', { nodeSelector: { 'kubernetes.io/hostname': 'e1' } });
    expect(await unschedulableMessage('to-e1')).toBe(
      "0/6 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) had untolerated taint {maint: }, 1 node(s) were not ready, 1 node(s) were unschedulable, 2 node(s) didn't match Pod's node affinity/selector.",
    );
  });

  it('resource fit: cpu and memory requests against what the node has left', async () => {
    // a1 holds heavy (1 cpu) and small pods: 1.5 cpu does not fit any more, 900m does.
    await createPod('cpu-big', { nodeSelector: { disk: 'ssd' } }, { requests: { cpu: '1500m' } });
    expect(await unschedulableMessage('cpu-big')).toBe(
      "0/6 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) had untolerated taint {maint: }, 1 node(s) were not ready, 1 node(s) were unschedulable.",
    );
    await createPod('mem-big', { nodeSelector: { disk: 'ssd' } }, { requests: { memory: '5Gi' } });
    expect(await unschedulableMessage('mem-big')).toMatch(/^0\/6 nodes are available: 1 Insufficient memory, /);
    await createPod('cpu-fits', { nodeSelector: { disk: 'ssd' } }, { requests: { cpu: '900m' } });
    expect(await boundTo('cpu-fits')).toBe('a1');
  });
});

describe('retries', () => {
  it('a pending pod goes to a node added later; the pod count is a resource too', async () => {
    await createPod('later', { nodeSelector: zone('zone-h') });
    await unschedulableMessage('later');
    await createNode(api, 'h1', { labels: { ...zone('zone-h'), disk: 'nvme' }, pods: '1' });
    expect(await boundTo('later')).toBe('h1');
    await createPod('later-2', { nodeSelector: zone('zone-h') });
    expect(await unschedulableMessage('later-2')).toMatch(/^0\/7 nodes are available: 1 Too many pods, /);
  });

  it('a pending pod is retried on cluster changes without rewriting the same condition', async () => {
    const writes = () => api.db().prepare(`SELECT count(*) AS n FROM events WHERE kind = 'Pod' AND namespace = ? AND name = 'nowhere' AND verb = 'updateStatus'`).get(NS) as { n: number };
    // Written again when the news changed: h1 came, so 7 nodes. (Not for a mere recount of the same
    // reasons, as when h1, not ready at first, became ready: unschedulable-status.ts.)
    await eventually(async () => (await podScheduled(api, NS, 'nowhere'))?.message?.startsWith('0/7 '));
    await new Promise((r) => setTimeout(r, 700)); // past the longest backoff: no retry left in flight
    const before = writes().n;
    expect(before).toBeGreaterThanOrEqual(2);
    const attemptsBefore = (scheduler.output().match(/nowhere is unschedulable/g) ?? []).length;
    // Node changes that matter to scheduling (labels) move it back to the queue, again and again.
    for (let i = 0; i < 5; i++) {
      await api.ok(`mutation($p: JSON!) { patchNode(name: "a1", patch: $p) { metadata { name } } }`, { p: { metadata: { labels: { touched: String(i) } } } });
      await new Promise((r) => setTimeout(r, 150));
    }
    await new Promise((r) => setTimeout(r, 1000));
    expect(writes().n).toBe(before);
    expect((scheduler.output().match(/nowhere is unschedulable/g) ?? []).length).toBe(attemptsBefore);
    // A change that lets it fit: a1 loses its disk label.
    await api.ok(`mutation { patchNode(name: "a1", patch: { metadata: { labels: { disk: null } } }) { metadata { name } } }`);
    expect(await boundTo('nowhere')).toBe('a1');
    expect(await podScheduled(api, NS, 'nowhere')).toMatchObject({ status: 'True' });
  });

  it('a pod deleted while pending is dropped; every bind in the log names a pod the scheduler was asked for, once', async () => {
    await api.ok(`mutation { deletePod(namespace: "${NS}", name: "to-e1") { metadata { name } } }`);
    const binds = api.db().prepare(`SELECT name, count(*) AS n FROM events WHERE kind = 'Pod' AND verb = 'bind' GROUP BY name`).all() as Array<{ name: string; n: number }>;
    expect(binds.every((b) => b.n === 1)).toBe(true);
    expect(binds.map((b) => b.name)).not.toContain('to-e1');
  });
});
afterAll(() => {
  if (process.env.SHOW_OUTPUT) console.log(scheduler.output());
});
