/**
 * Which surplus pods a ReplicaSet deletes first (controller.ActivePodsWithRanks, without the
 * co-location rank): unscheduled before scheduled, Pending before Unknown before Running, not ready
 * before ready, lower pod-deletion-cost first, ready for less time first, more restarts first,
 * newest first.
 */
import type { Pod } from '../../resources/objects.js';
import { isPodReady, maxContainerRestarts, podNodeName, podPhase, podReadyTime } from './pod-conditions.js';

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
export const DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

function deletionCost(pod: Pod): number {
  const v = Number(pod.metadata.annotations?.[DELETION_COST_ANNOTATION]);
  return Number.isInteger(v) ? v : 0;
}

const created = (pod: Pod): number => Date.parse(pod.metadata.creationTimestamp) || 0;

/** Negative when `a` should be deleted before `b`. */
export function deleteFirst(a: Pod, b: Pod): number {
  const nodeA = podNodeName(a);
  const nodeB = podNodeName(b);
  if (nodeA !== nodeB && (nodeA === '' || nodeB === '')) return nodeA === '' ? -1 : 1;
  const phaseA = PHASE_ORDINAL[podPhase(a)] ?? 0;
  const phaseB = PHASE_ORDINAL[podPhase(b)] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(a);
  if (readyA !== isPodReady(b)) return readyA ? 1 : -1;
  if (deletionCost(a) !== deletionCost(b)) return deletionCost(a) - deletionCost(b);
  if (readyA) {
    // Both ready: the one ready more recently goes first.
    const ta = podReadyTime(a) ?? Infinity;
    const tb = podReadyTime(b) ?? Infinity;
    if (ta !== tb) return tb - ta > 0 ? 1 : -1;
  }
  if (maxContainerRestarts(a) !== maxContainerRestarts(b)) return maxContainerRestarts(b) - maxContainerRestarts(a);
  if (created(a) !== created(b)) return created(b) - created(a);
  // Same second: the later name-order is as good as any, and keeps the choice deterministic.
  return a.metadata.name < b.metadata.name ? 1 : a.metadata.name > b.metadata.name ? -1 : 0;
}

/** The `count` pods to delete, in order. */
export function podsToDelete(pods: Pod[], count: number): Pod[] {
  return [...pods].sort(deleteFirst).slice(0, count);
}
