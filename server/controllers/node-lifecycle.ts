/**
 * The node-lifecycle controller: watches each node's heartbeat (its Lease in kube-node-lease,
 * `spec.renewTime`, and its Ready condition's lastHeartbeatTime), timed by this controller's own
 * clock when it sees them change, as Kubernetes does (no trust in the node's clock). Every monitor
 * period it judges every node with one clock reading; a node silent for longer than
 * `nodeMonitorGracePeriodMs`:
 * - gets `Ready=Unknown` (reason NodeStatusUnknown; the other conditions kept), and its pods are
 *   marked Ready=False so Endpoints stop sending them traffic;
 * - is queued for the taint `node.kubernetes.io/unreachable:NoExecute` (timeAdded: now) in its
 *   zone, tainted at the rate its zone's state allows (node-zones.ts: Kubernetes' zone rules; when
 *   every zone is fully disrupted, no node is tainted and the taints set are lifted). A node that
 *   reports Ready=False itself gets `node.kubernetes.io/not-ready:NoExecute` the same way;
 * - once tainted, has its pods deleted (gracePeriodSeconds 0: the node cannot confirm)
 *   `podEvictionTimeoutMs` after the taint was added, or after a pod's own toleration of the taint
 *   (node-taints.ts).
 * Once the heartbeat is back and the node reports Ready=True again, the taint is removed.
 */
import type { Node, PodStatus } from '../resources/objects.js';
import { NODE_LEASE_NAMESPACE } from '../resources/kinds/lease.js';
import type { ControllerFactory } from './framework/manager.js';
import { deleteObject, patchObject, updateObjectStatus } from './framework/object-requests.js';
import { startReconciler } from './framework/reconciler.js';
import { conditionsOf, evictionDelayMs, readyCondition, taintsOf, type NodeCondition, type Taint } from './node-taints.js';
import { EXCLUDE_DISRUPTION_LABEL, ZoneTainters, zoneOf } from './node-zones.js';

const UNREACHABLE = 'node.kubernetes.io/unreachable';
const NOT_READY = 'node.kubernetes.io/not-ready';
/** How often the zone queues are looked at (Kubernetes' NodeEvictionPeriod). */
const TAINT_PASS_MS = 100;

/** RFC 3339 at second precision, as Kubernetes writes times. */
const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** The NoExecute taint this controller sets (unreachable or not-ready), if the node has one. */
const controllerTaint = (node: Node) => taintsOf(node).find((t) => t.effect === 'NoExecute' && (t.key === UNREACHABLE || t.key === NOT_READY));

export const nodeLifecycleController: ControllerFactory = ({ client, informers, settings, events }) => {
  const recorder = events('node-controller');
  const { nodeMonitorGracePeriodMs: grace, podEvictionTimeoutMs: evictAfter } = settings;
  const nodes = informers.informer('Node');
  const leases = informers.informer('Lease');
  const pods = informers.informer('Pod');
  const synced = Promise.all([nodes, leases, pods].map((i) => i.waitForSync()));
  /** Per node: the last heartbeat seen, and when (this process's clock). */
  const health = new Map<string, { heartbeat: string; seenAt: number }>();
  /** Nodes the last monitor pass found silent. */
  const silent = new Set<string>();
  const zones = new ZoneTainters(settings);

  /** When this controller last saw the node's heartbeat change; first sight counts as one (a restarted controller gives every node a full grace period). */
  function lastHeard(node: Node, now: number): number {
    const lease = leases.cache.get(NODE_LEASE_NAMESPACE, node.metadata.name);
    const heartbeat = JSON.stringify([lease?.spec?.renewTime, readyCondition(node)?.lastHeartbeatTime]);
    const known = health.get(node.metadata.name);
    if (known?.heartbeat === heartbeat) return known.seenAt;
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
  const withoutControllerTaints = (node: Node) => taintsOf(node).filter((t) => !(t.effect === 'NoExecute' && (t.key === UNREACHABLE || t.key === NOT_READY)));

  /** Ready=False on the node's pods that still say True (Kubernetes' MarkPodsNotReady). */
  async function markPodsNotReady(name: string, now: number): Promise<void> {
    for (const pod of pods.cache.byIndex('nodeName', name)) {
      const conditions: NonNullable<PodStatus['conditions']> = pod.status?.conditions ?? [];
      if (!conditions.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
      const next = conditions.map((c) => (c.type === 'Ready' ? { ...c, status: 'False' as const, lastTransitionTime: rfc3339(now) } : c));
      await updateObjectStatus(client, pod, { ...pod.status, conditions: next }, pod.metadata.resourceVersion);
      recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
    }
  }

  async function evictPods(name: string, taint: Taint, now: number): Promise<void> {
    const since = taint.timeAdded ? Date.parse(taint.timeAdded) : now;
    for (const pod of pods.cache.byIndex('nodeName', name)) {
      const delay = evictionDelayMs(pod, taint, evictAfter);
      if (delay === undefined || now < since + delay) continue;
      recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`);
      await deleteObject(client, pod, { gracePeriodSeconds: 0 });
    }
  }

  /** The taint a node should carry from its Ready condition (the opposite one swapped out), or none. */
  const wantedTaintKey = (node: Node) => {
    const status = readyCondition(node)?.status;
    return status === 'Unknown' ? UNREACHABLE : status === 'False' ? NOT_READY : undefined;
  };

  const reconciler = startReconciler({
    name: 'node-lifecycle',
    primary: nodes,
    secondary: [
      { informer: leases, keys: (e) => (e.object.metadata.namespace === NODE_LEASE_NAMESPACE && silent.has(e.object.metadata.name) ? [e.object.metadata.name] : []) },
      // A pod landing on a tainted node is evicted in its turn.
      { informer: pods, keys: (e) => { const n = e.object.spec.nodeName; const node = n ? nodes.cache.get(undefined, n) : undefined; return node && controllerTaint(node) ? [n!] : []; } },
    ],
    async reconcile(name) {
      await synced;
      let node = nodes.cache.get(undefined, name);
      if (!node) {
        health.delete(name);
        silent.delete(name);
        zones.remove(name);
        return;
      }
      const now = Date.now();
      if (silent.has(name) && now - lastHeard(node, now) <= grace) silent.delete(name); // heard again since the last pass
      if (silent.has(name) && readyCondition(node)?.status !== 'Unknown') {
        node = await markUnknown(node, now);
        recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
      const wanted = wantedTaintKey(node);
      const taint = controllerTaint(node);
      if (!wanted) {
        // Back: the node speaks for itself again and says Ready.
        zones.remove(name);
        if (taint) await setTaints(node, withoutControllerTaints(node));
        return;
      }
      if (wanted === UNREACHABLE) await markPodsNotReady(name, now);
      if (taint && taint.key === wanted) {
        if (!zones.allFullyDisrupted) await evictPods(name, taint, now);
      } else if (taint) {
        // Unreachable and not-ready are exclusive: swapped at once, keeping the time the node was first tainted.
        node = await setTaints(node, [...withoutControllerTaints(node), { key: wanted, effect: 'NoExecute', timeAdded: taint.timeAdded }]);
      } else zones.add(zoneOf(node), name);
    },
  });

  /** Taints the nodes whose turn it is in their zone (doNoExecuteTaintingPass). */
  async function taintPass(): Promise<void> {
    const now = Date.now();
    for (const { zone, node: name } of zones.take(now)) {
      const node = nodes.cache.get(undefined, name);
      const wanted = node && wantedTaintKey(node);
      if (!node || !wanted || controllerTaint(node)) continue; // ready again, or tainted already
      try {
        await setTaints(node, [...withoutControllerTaints(node), { key: wanted, effect: 'NoExecute', timeAdded: rfc3339(now) }]);
      } catch {
        zones.putBack(zone, name);
      }
    }
  }

  /** Every node judged with one clock reading, the zones' states from that, taints lifted if every zone is down (monitorNodeHealth). */
  async function monitorPass(): Promise<void> {
    const now = Date.now();
    const counts = new Map<string, { ready: number; notReady: number }>();
    for (const node of nodes.cache.list()) {
      const name = node.metadata.name;
      const wasSilent = silent.has(name);
      const isSilent = now - lastHeard(node, now) > grace;
      if (isSilent) silent.add(name);
      else silent.delete(name);
      if (isSilent !== wasSilent || isSilent || controllerTaint(node) || readyCondition(node)?.status !== 'True') reconciler.enqueue(name);
      if (node.metadata.labels?.[EXCLUDE_DISRUPTION_LABEL] !== undefined) continue;
      const zone = zoneOf(node);
      const c = counts.get(zone) ?? { ready: 0, notReady: 0 };
      if (!isSilent && readyCondition(node)?.status === 'True') c.ready++;
      else c.notReady++;
      counts.set(zone, c);
    }
    const change = zones.update(counts, now);
    if (change === 'entered') {
      // "All nodes are not Ready": this controller's connectivity is the likelier fault. Lift the taints; evict nothing.
      for (const node of nodes.cache.list()) if (controllerTaint(node)) await setTaints(node, withoutControllerTaints(node)).catch(() => {});
    } else if (change === 'left') {
      // Out of it: every node gets a full grace period from now.
      for (const h of health.values()) h.seenAt = now;
    }
  }

  // Kubernetes' nodeMonitorPeriod is 5 s; shorter when the grace period is (tests).
  const periodMs = Math.max(100, Math.min(5000, Math.floor(Math.min(grace, evictAfter) / 4)));
  let running: Promise<void> | undefined;
  const serially = (pass: () => Promise<void>) => () => {
    if (running) return;
    running = synced.then(pass).catch(() => {}).finally(() => (running = undefined));
  };
  const monitor = setInterval(serially(monitorPass), periodMs);
  const tainter = setInterval(() => zones.waiting() > 0 && serially(taintPass)(), TAINT_PASS_MS);
  monitor.unref();
  tainter.unref();

  return {
    ...reconciler,
    stop(): void {
      clearInterval(monitor);
      clearInterval(tainter);
      reconciler.stop();
    },
  };
};
