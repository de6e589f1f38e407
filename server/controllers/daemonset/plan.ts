/**
 * What the DaemonSet controller decides from one look at its nodes and pods, as pure functions of
 * that view: which nodes need a pod and which pods must go (podsShouldBeOnNode), which old pods a
 * RollingUpdate replaces next (by maxUnavailable, or by maxSurge), and the status counts.
 */
import type { Pod } from '../../resources/objects.js';
import { isPodAvailable, isPodReady, podPhase } from '../replicaset/pod-conditions.js';
import type { Fit } from './node-fit.js';

export interface DaemonView {
  /** Every node, by name (sorted), with whether the daemon should run there. */
  fits: Map<string, Fit>;
  /** The DaemonSet's pods by the node they are for. */
  byNode: Map<string, Pod[]>;
  /** Whether a pod has the template's current hash. */
  isUpdated(pod: Pod): boolean;
  minReadySeconds: number;
  now: number;
}

export interface Plan {
  /** Node names that get a new pod. */
  creates: string[];
  deletes: Pod[];
}

const created = (pod: Pod) => Date.parse(pod.metadata.creationTimestamp) || 0;
/** podByCreationTimestampAndPhase: oldest first; at the same time, running before the others. */
export const oldestFirst = (a: Pod, b: Pod) =>
  created(a) - created(b) || Number(podPhase(b) === 'Running') - Number(podPhase(a) === 'Running') || a.metadata.name.localeCompare(b.metadata.name);

const live = (view: DaemonView, node: string) => (view.byNode.get(node) ?? []).filter((p) => !p.metadata.deletionTimestamp);
const available = (view: DaemonView, pod: Pod) => isPodAvailable(pod, view.minReadySeconds, view.now);

/** podsShouldBeOnNode for every node, and the pods of nodes that are gone. With surge, an old and a new pod may share a node until the new one is available. */
export function nodePlan(view: DaemonView, surging: boolean): Plan {
  const plan: Plan = { creates: [], deletes: [] };
  for (const [node, fit] of view.fits) {
    const daemonPods = view.byNode.get(node) ?? [];
    if (fit.shouldRun && daemonPods.length === 0) plan.creates.push(node);
    else if (!fit.shouldContinueRunning) plan.deletes.push(...live(view, node));
    else {
      const running: Pod[] = [];
      for (const pod of live(view, node)) {
        const phase = podPhase(pod);
        if (phase === 'Failed' || phase === 'Succeeded') plan.deletes.push(pod);
        else running.push(pod);
      }
      if (running.length <= 1) continue;
      running.sort(oldestFirst);
      if (!surging) {
        plan.deletes.push(...running.slice(1));
        continue;
      }
      const oldestNew = running.find((p) => view.isUpdated(p));
      const oldestOld = running.find((p) => !view.isUpdated(p));
      plan.deletes.push(...running.filter((p) => p !== oldestNew && p !== oldestOld));
      if (oldestNew && oldestOld && (!isPodReady(oldestOld) || available(view, oldestNew))) plan.deletes.push(oldestOld);
    }
  }
  for (const node of view.byNode.keys()) if (!view.fits.has(node)) plan.deletes.push(...live(view, node));
  return plan;
}

/** rollingUpdate without surge: old pods that are not available go at once; available ones at most maxUnavailable (counting nodes already short of an available pod). */
export function rollingUpdateDeletes(view: DaemonView, maxUnavailable: number): Pod[] {
  let unavailable = 0;
  const replace: Pod[] = [];
  const candidates: Pod[] = [];
  for (const [node, fit] of view.fits) {
    if (!fit.shouldRun) continue;
    const pods = live(view, node);
    const fresh = pods.filter((p) => view.isUpdated(p));
    const old = pods.filter((p) => !view.isUpdated(p));
    if (fresh.length + old.length !== 1) unavailable++;
    else if (fresh.length === 1) {
      if (!available(view, fresh[0])) unavailable++;
    } else if (!available(view, old[0])) replace.push(old[0]);
    else candidates.push(old[0]);
  }
  return [...replace, ...candidates.slice(0, Math.max(0, maxUnavailable - unavailable))];
}

/** rollingUpdate with maxSurge: a new pod starts beside the old one on at most maxSurge nodes; the old one goes once the new one is available. */
export function surgePlan(view: DaemonView, maxSurge: number): Plan {
  let surge = 0;
  const allowed: string[] = [];
  const candidates: string[] = [];
  const deletes: Pod[] = [];
  for (const [node, fit] of view.fits) {
    if (!fit.shouldRun) continue;
    const pods = live(view, node);
    const fresh = pods.filter((p) => view.isUpdated(p));
    const old = pods.filter((p) => !view.isUpdated(p));
    if (fresh.length > 1 || old.length > 1) {
      surge++;
      continue;
    }
    if (old.length === 0) continue;
    if (fresh.length === 0) {
      if (!available(view, old[0])) allowed.push(node);
      else if (surge < maxSurge) {
        surge++;
        candidates.push(node);
      }
    } else if (!available(view, fresh[0])) surge++;
    else deletes.push(old[0]);
  }
  return { creates: [...allowed, ...candidates], deletes };
}

/** updateDaemonSetStatus' counts: per node that should run it, its oldest pod's readiness and revision; pods where it should not run are misscheduled. */
export function statusCounts(view: DaemonView) {
  let desired = 0, current = 0, misscheduled = 0, ready = 0, available_ = 0, updated = 0;
  for (const [node, fit] of view.fits) {
    const daemonPods = [...(view.byNode.get(node) ?? [])].sort(oldestFirst);
    if (!fit.shouldRun) {
      if (daemonPods.length > 0) misscheduled++;
      continue;
    }
    desired++;
    if (daemonPods.length === 0) continue;
    current++;
    const pod = daemonPods[0];
    if (isPodReady(pod)) {
      ready++;
      if (available(view, pod)) available_++;
    }
    if (view.isUpdated(pod)) updated++;
  }
  return { desired, current, misscheduled, ready, available: available_, updated };
}
