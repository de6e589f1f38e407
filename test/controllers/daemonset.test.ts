/**
 * The DaemonSet controller with the scheduler, node agents and the node-lifecycle controller: the
 * docs' fluentd-elasticsearch runs one pod per node, follows nodes as they come, change and go,
 * keeps its pod on a node the lifecycle controller tainted unreachable, honours nodeSelector and
 * taints, rolls out a new template maxUnavailable at a time (or only on delete), and converges after
 * a kill -9 without a node ever getting two pods.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest, manifests } from '../support/control-plane.js';
import { FLUENTD_DAEMONSET } from '../support/manifests.js';
import { eventually } from '../support/processes.js';
import { logRows, replayOwnedPods, startWorkloadPlane, type WorkloadPlane } from '../support/workload-plane.js';

let plane: WorkloadPlane;
beforeAll(async () => {
  plane = await startWorkloadPlane({ nodes: 2, controllerFlags: ['--node-monitor-grace-period-ms', '2000', '--pod-eviction-timeout-ms', '1000'] });
});
afterAll(() => plane?.close());

const APPLY = `mutation($m: String!) { apply(manifests: $m) { objects { name action } } }`;
const CREATE_DS = `mutation($i: DaemonSetInput!) { createDaemonSet(input: $i) { metadata { uid } } }`;
const PATCH_DS = `mutation($ns: String!, $n: String!, $p: JSON!) { patchDaemonSet(namespace: $ns, name: $n, patch: $p) { metadata { generation } } }`;
const PATCH_NODE = `mutation($n: String!, $p: JSON!) { patchNode(name: $n, patch: $p) { metadata { name } } }`;

const podsOf = async (namespace: string, uid: string) =>
  (await manifests(plane.api, 'pods', namespace)).filter((p) => p.metadata.ownerReferences?.some((r: any) => r.uid === uid) && !p.metadata.deletionTimestamp);
const nodeNames = async () => (await plane.api.ok(`{ nodes { edges { node { metadata { name } } } } }`)).nodes.edges.map((e: any) => e.node.metadata.name).sort();

/** Waits until the DaemonSet's status says `desired` nodes, all scheduled, ready, up to date, and exactly one running pod per such node. */
async function settled(namespace: string, name: string, desired: number, check: (pods: any[]) => boolean = () => true): Promise<{ ds: any; pods: any[] }> {
  return eventually<{ ds: any; pods: any[] } | undefined>(
    async () => {
      const ds = await manifest(plane.api, 'daemonSet', namespace, name);
      const s = ds.status;
      if (s.observedGeneration !== ds.metadata.generation || s.desiredNumberScheduled !== desired || s.currentNumberScheduled !== desired || s.numberReady !== desired) return undefined;
      if ((s.updatedNumberScheduled ?? 0) !== desired || (s.numberAvailable ?? 0) !== desired || s.numberMisscheduled !== 0) return undefined;
      const pods = await podsOf(namespace, ds.metadata.uid);
      const nodes = pods.map((p) => p.spec.nodeName);
      if (pods.length !== desired || new Set(nodes).size !== desired || !pods.every((p) => p.status.phase === 'Running') || !check(pods)) return undefined;
      return { ds, pods };
    },
    40_000,
    () => plane.controllers.output().slice(-2000),
  ) as Promise<{ ds: any; pods: any[] }>;
}

/** The log replayed per node: the most pods of `uid` live on one node at once. */
function mostOnOneNode(namespace: string, uid: string): number {
  const live = new Map<string, string>();
  let most = 0;
  for (const row of logRows(plane.api, namespace, ['Pod'])) {
    if (!row.object.metadata.ownerReferences?.some((r: any) => r.uid === uid)) continue;
    const node = row.object.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0];
    if (row.type === 'DELETED' || row.object.metadata.deletionTimestamp) live.delete(row.uid);
    else live.set(row.uid, node);
    const counts = new Map<string, number>();
    for (const n of live.values()) counts.set(n, (counts.get(n) ?? 0) + 1);
    most = Math.max(most, ...counts.values());
  }
  return most;
}

describe('daemonset controller', () => {
  it("runs the docs' fluentd-elasticsearch on every node, bound by node affinity to its node, with the daemon tolerations", async () => {
    await plane.api.ok(APPLY, { m: FLUENTD_DAEMONSET });
    const { ds, pods } = await settled('kube-system', 'fluentd-elasticsearch', 2);
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(await nodeNames());
    for (const pod of pods) {
      expect(pod.metadata.generateName).toBe('fluentd-elasticsearch-');
      expect(pod.metadata.labels).toEqual({ name: 'fluentd-elasticsearch', 'controller-revision-hash': expect.any(String), 'pod-template-generation': '1' });
      expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'fluentd-elasticsearch', uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      expect(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual({
        nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [pod.spec.nodeName] }] }],
      });
      expect(pod.spec.tolerations).toEqual([
        { key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'node-role.kubernetes.io/master', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
        { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
      ]);
      expect(pod.spec.volumes).toEqual([{ name: 'varlog', hostPath: { path: '/var/log' } }]);
    }
    expect(ds.status).toEqual({
      currentNumberScheduled: 2,
      numberMisscheduled: 0,
      desiredNumberScheduled: 2,
      numberReady: 2,
      observedGeneration: 1,
      updatedNumberScheduled: 2,
      numberAvailable: 2,
    });
  });

  it('follows a node that joins, keeps its pod while the node is unreachable (tainted NoExecute), and drops it when the node is deleted', async () => {
    const extra = await plane.startAgents(1, 'extra-');
    const { ds } = await settled('kube-system', 'fluentd-elasticsearch', 3);
    const onExtra = (await podsOf('kube-system', ds.metadata.uid)).find((p) => p.spec.nodeName === 'extra-0');
    expect(onExtra).toBeDefined();
    extra.kill();
    await eventually(async () => (await manifest(plane.api, 'node', undefined, 'extra-0')).spec.taints?.some((t: any) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'), 20_000);
    // Past the eviction timeout, the daemon pod is still there: it tolerates the unreachable taint.
    await new Promise((r) => setTimeout(r, 2500));
    const still = await manifest(plane.api, 'pod', 'kube-system', onExtra.metadata.name);
    expect(still?.metadata.deletionTimestamp).toBeUndefined();
    await plane.api.ok(`mutation { deleteNode(name: "extra-0") { metadata { name } } }`);
    await settled('kube-system', 'fluentd-elasticsearch', 2);
    expect(await manifest(plane.api, 'pod', 'kube-system', onExtra.metadata.name)).toBeNull();
  });

  it('runs only on nodes its nodeSelector matches, following label changes; a NoExecute taint it does not tolerate removes its pod, a NoSchedule one does not', async () => {
    await plane.api.ok(PATCH_NODE, { n: 'node-0', p: { metadata: { labels: { disk: 'ssd' } } } });
    const { uid } = (await plane.api.ok(CREATE_DS, {
      i: {
        metadata: { name: 'ssd-only', namespace: 'default' },
        spec: { selector: { matchLabels: { app: 'ssd' } }, template: { metadata: { labels: { app: 'ssd' } }, spec: { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
      },
    })).createDaemonSet.metadata;
    let { pods } = await settled('default', 'ssd-only', 1);
    expect(pods[0].spec.nodeName).toBe('node-0');
    await plane.api.ok(PATCH_NODE, { n: 'node-1', p: { metadata: { labels: { disk: 'ssd' } } } });
    ({ pods } = await settled('default', 'ssd-only', 2));

    // NoSchedule: the pod already there stays (shouldContinueRunning), but the node no longer counts as desired.
    await plane.api.ok(PATCH_NODE, { n: 'node-1', p: { spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] } } });
    await eventually(async () => {
      const s = (await manifest(plane.api, 'daemonSet', 'default', 'ssd-only')).status;
      return s.desiredNumberScheduled === 1 && s.numberMisscheduled === 1;
    }, 20_000);
    expect((await podsOf('default', uid)).map((p) => p.spec.nodeName).sort()).toEqual(['node-0', 'node-1']);
    // NoExecute: it goes.
    await plane.api.ok(PATCH_NODE, { n: 'node-1', p: { spec: { taints: [{ key: 'dedicated', value: 'db', effect: 'NoExecute' }] } } });
    await settled('default', 'ssd-only', 1);
    await plane.api.ok(PATCH_NODE, { n: 'node-1', p: { spec: { taints: null }, metadata: { labels: { disk: null } } } });
    await plane.api.ok(PATCH_NODE, { n: 'node-0', p: { metadata: { labels: { disk: null } } } });
    await eventually(async () => (await podsOf('default', uid)).length === 0, 20_000);
  });

  it('rolls a new template out with RollingUpdate, never more than maxUnavailable nodes without a ready pod', async () => {
    const before = await settled('kube-system', 'fluentd-elasticsearch', 2);
    const oldHash = before.pods[0].metadata.labels['controller-revision-hash'];
    const from = logRows(plane.api, 'kube-system', ['Pod']).at(-1)?.revision ?? 0;
    await plane.api.ok(PATCH_DS, { ns: 'kube-system', n: 'fluentd-elasticsearch', p: { spec: { template: { spec: { containers: [{ name: 'fluentd-elasticsearch', image: 'quay.io/fluentd_elasticsearch/fluentd:v5.0.1' }] } } } } });
    const after = await settled('kube-system', 'fluentd-elasticsearch', 2, (pods) => pods.every((p) => p.spec.containers[0].image.endsWith('v5.0.1')));
    expect(after.pods.every((p) => p.metadata.labels['controller-revision-hash'] !== oldHash && p.metadata.labels['pod-template-generation'] === '2')).toBe(true);
    // Replayed: at every point of the rollout, at least 1 of the 2 nodes had a running, ready pod that was not being deleted.
    const ready = new Map<string, boolean>();
    let fewest = 2;
    for (const row of logRows(plane.api, 'kube-system', ['Pod'])) {
      if (!row.object.metadata.ownerReferences?.some((r: any) => r.uid === before.ds.metadata.uid)) continue;
      const ok = row.type !== 'DELETED' && !row.object.metadata.deletionTimestamp && row.object.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
      ready.set(row.uid, Boolean(ok));
      if (row.revision > from) fewest = Math.min(fewest, [...ready.values()].filter(Boolean).length);
    }
    expect(fewest).toBe(1);
  });

  it('with maxSurge 1 and maxUnavailable 0, starts each new pod beside the old one: every node keeps a ready pod throughout', async () => {
    const { uid } = (await plane.api.ok(CREATE_DS, {
      i: {
        metadata: { name: 'surge', namespace: 'default' },
        spec: {
          updateStrategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          selector: { matchLabels: { app: 'surge' } },
          template: { metadata: { labels: { app: 'surge' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } },
        },
      },
    })).createDaemonSet.metadata;
    await settled('default', 'surge', 2);
    const from = logRows(plane.api, 'default', ['Pod']).at(-1)!.revision;
    await plane.api.ok(PATCH_DS, { ns: 'default', n: 'surge', p: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:1.37' }] } } } } });
    await settled('default', 'surge', 2, (pods) => pods.every((p) => p.spec.containers[0].image === 'busybox:1.37'));
    const ready = new Map<string, { node: string; ok: boolean }>();
    let most = 0;
    for (const row of logRows(plane.api, 'default', ['Pod'])) {
      if (!row.object.metadata.ownerReferences?.some((r: any) => r.uid === uid)) continue;
      const live = row.type !== 'DELETED' && !row.object.metadata.deletionTimestamp;
      const ok = live && row.object.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
      const node = row.object.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0];
      if (live) ready.set(row.uid, { node, ok: Boolean(ok) });
      else ready.delete(row.uid);
      if (row.revision <= from) continue;
      // Both nodes have a ready pod at every point; never more than one node has two pods.
      const readyNodes = new Set([...ready.values()].filter((r) => r.ok).map((r) => r.node));
      expect(readyNodes.size, `at revision ${row.revision}`).toBe(2);
      most = Math.max(most, ready.size);
    }
    expect(most).toBe(3);
  });

  it('with OnDelete, replaces a pod with the new template only when it is deleted', async () => {
    const { uid } = (await plane.api.ok(CREATE_DS, {
      i: {
        metadata: { name: 'manual', namespace: 'default' },
        spec: { updateStrategy: { type: 'OnDelete' }, selector: { matchLabels: { app: 'manual' } }, template: { metadata: { labels: { app: 'manual' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
      },
    })).createDaemonSet.metadata;
    const { pods } = await settled('default', 'manual', 2);
    await plane.api.ok(PATCH_DS, { ns: 'default', n: 'manual', p: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox:1.37' }] } } } } });
    await eventually(async () => (await manifest(plane.api, 'daemonSet', 'default', 'manual')).status.observedGeneration === 2, 20_000);
    await new Promise((r) => setTimeout(r, 500));
    expect((await podsOf('default', uid)).map((p) => p.metadata.name).sort()).toEqual(pods.map((p) => p.metadata.name).sort());
    await plane.api.ok(`mutation($n: String!) { deletePod(namespace: "default", name: $n) { metadata { name } } }`, { n: pods[0].metadata.name });
    await eventually(async () => {
      const now = await podsOf('default', uid);
      return now.length === 2 && now.filter((p) => p.spec.containers[0].image === 'busybox:1.37' && p.status.phase === 'Running').length === 1;
    }, 20_000);
    const ds = (await manifest(plane.api, 'daemonSet', 'default', 'manual'));
    await eventually(async () => (await manifest(plane.api, 'daemonSet', 'default', 'manual')).status.updatedNumberScheduled === 1, 20_000, () => JSON.stringify(ds.status));
  });

  it('converges after a kill -9 while placing pods on 12 nodes: one pod per node, never two on one node', async () => {
    const many = await plane.startAgents(10, 'many-');
    plane.controllers.kill();
    plane.startControllers({ KUBEQL_DAEMONSET_BURST: '2' });
    const { uid } = (await plane.api.ok(CREATE_DS, {
      i: {
        metadata: { name: 'everywhere', namespace: 'default' },
        spec: { selector: { matchLabels: { app: 'everywhere' } }, template: { metadata: { labels: { app: 'everywhere' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
      },
    })).createDaemonSet.metadata;
    await eventually(() => (replayOwnedPods(plane.api, 'default', uid).at(-1)?.created ?? 0) >= 3, 20_000, () => plane.controllers.output().slice(-2000));
    plane.controllers.kill();
    const atKill = replayOwnedPods(plane.api, 'default', uid).at(-1)!.created;
    expect(atKill).toBeLessThan(12);
    plane.startControllers({ KUBEQL_DAEMONSET_BURST: '2' });
    await settled('default', 'everywhere', 12);
    expect(replayOwnedPods(plane.api, 'default', uid).at(-1)!.created).toBe(12);
    expect(mostOnOneNode('default', uid)).toBe(1);
    await many.stop();
  });
});
