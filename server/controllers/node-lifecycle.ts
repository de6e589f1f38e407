/**
 * The node-lifecycle controller: watches each node's heartbeat (its Lease in kube-node-lease,
 * `spec.renewTime`, and its Ready condition's lastHeartbeatTime), timed by this controller's own
 * clock when it sees them change, as Kubernetes does (no trust in the node's clock). A node silent
 * for longer than `nodeMonitorGracePeriodMs`:
 * - gets `Ready=Unknown` (reason NodeStatusUnknown; the other conditions kept) and the taint
 *   `node.kubernetes.io/unreachable:NoExecute` (timeAdded: now), and its pods are marked Ready=False
 *   so Endpoints stop sending them traffic;
 * - has its pods deleted (gracePeriodSeconds 0: the node cannot confirm) `podEvictionTimeoutMs`
 *   after the taint was added, or after a pod's own toleration of the taint (node-taints.ts).
 * Once the heartbeat is back and the node reports its Ready condition again, the taint is removed.
 */
import type { Node, PodStatus } from '../resources/objects.js';
import type { ControllerFactory } from './framework/manager.js';
import { deleteObject, patchObject, updateObjectStatus } from './framework/object-requests.js';
import { startReconciler, watches } from './framework/reconciler.js';
import { conditionsOf, evictionDelayMs, readyCondition, taintsOf, unreachableTaint, UNREACHABLE_TAINT_KEY, type NodeCondition, type Taint } from './node-taints.js';

const LEASE_NAMESPACE = 'kube-node-lease';

/** RFC 3339 at second precision, as Kubernetes writes times. */
const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export const nodeLifecycleController: ControllerFactory = ({ client, informers, settings }) => {
  const { nodeMonitorGracePeriodMs: grace, podEvictionTimeoutMs: evictAfter } = settings;
  const nodes = informers.informer('Node');
  const leases = informers.informer('Lease');
  const pods = informers.informer('Pod');
  const synced = Promise.all([nodes, leases, pods].map((i) => i.waitForSync()));
  /** Per node: the last heartbeat seen, and when (this process's clock). */
  const health = new Map<string, { heartbeat: string; seenAt: number }>();

  function lastHeard(node: Node, now: number): number {
    const lease = leases.cache.get(LEASE_NAMESPACE, node.metadata.name);
    const heartbeat = JSON.stringify([lease?.spec?.renewTime, readyCondition(node)?.lastHeartbeatTime]);
    const known = health.get(node.metadata.name);
    if (known?.heartbeat === heartbeat) return known.seenAt;
    // First sight counts as a heartbeat: a restarted controller gives every node a full grace period.
    health.set(node.metadata.name, { heartbeat, seenAt: now });
    return now;
  }

  async function markUnknown(node: Node, now: number): Promise<Node> {
    const ready = readyCondition(node);
    const unknown: NodeCondition = ready
      ? { ...ready, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: rfc3339(now) }
      : { type: 'Ready', status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: rfc3339(now) };
    const conditions = ready ? conditionsOf(node).map((c) => (c === ready ? unknown : c)) : [...conditionsOf(node), unknown];
    return updateObjectStatus(client, node, { ...node.status, conditions }, node.metadata.resourceVersion);
  }

  const setTaints = (node: Node, taints: Taint[]) => patchObject(client, node, { spec: { taints: taints.length ? taints : null } }, node.metadata.resourceVersion);

  /** Ready=False on the node's pods that still say True (Kubernetes' MarkPodsNotReady). */
  async function markPodsNotReady(name: string, now: number): Promise<void> {
    for (const pod of pods.cache.byIndex('nodeName', name)) {
      const conditions: NonNullable<PodStatus['conditions']> = pod.status?.conditions ?? [];
      if (!conditions.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
      const next = conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False' as const, lastTransitionTime: rfc3339(now) } : c));
      await updateObjectStatus(client, pod, { ...pod.status, conditions: next }, pod.metadata.resourceVersion);
    }
  }

  async function evictPods(name: string, taint: Taint, now: number): Promise<void> {
    const since = taint.timeAdded ? Date.parse(taint.timeAdded) : now;
    for (const pod of pods.cache.byIndex('nodeName', name)) {
      const delay = evictionDelayMs(pod, taint, evictAfter);
      if (delay !== undefined && now >= since + delay) await deleteObject(client, pod, { gracePeriodSeconds: 0 });
    }
  }

  return startReconciler({
    name: 'node-lifecycle',
    primary: nodes,
    secondary: [
      watches(leases, (e) => (e.object.metadata.namespace === LEASE_NAMESPACE ? [e.object.metadata.name] : [])),
      // A pod landing on an unreachable node is evicted in its turn.
      watches(pods, (e) => {
        const n = e.object.spec.nodeName;
        const node = n ? nodes.cache.get(undefined, n) : undefined;
        return n && node && unreachableTaint(node) ? [n] : [];
      }),
    ],
    // Every node is looked at this often, so silence is noticed without any event (Kubernetes' nodeMonitorPeriod is 5 s).
    resyncMs: Math.max(100, Math.min(5000, Math.floor(Math.min(grace, evictAfter) / 4))),
    async reconcile(name) {
      await synced;
      let node = nodes.cache.get(undefined, name);
      if (!node) {
        health.delete(name);
        return;
      }
      const now = Date.now();
      const silent = now - lastHeard(node, now) > grace;
      if (!silent) {
        // Back: once the node speaks for itself again, it is reachable.
        const ready = readyCondition(node);
        if (unreachableTaint(node) && ready && ready.status !== 'Unknown') await setTaints(node, taintsOf(node).filter((t) => t !== unreachableTaint(node!)));
        return;
      }
      if (readyCondition(node)?.status !== 'Unknown') node = await markUnknown(node, now);
      let taint = unreachableTaint(node);
      if (!taint) {
        taint = { key: UNREACHABLE_TAINT_KEY, effect: 'NoExecute', timeAdded: rfc3339(now) };
        node = await setTaints(node, [...taintsOf(node), taint]);
      }
      await markPodsNotReady(name, now);
      await evictPods(name, taint, now);
    },
  });
};
