/** A pod's standing as the ReplicaSet controller judges it (podutil): active, ready, available after minReadySeconds. */
import type { KObject } from '../../resources/kind.js';

interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

export const podPhase = (pod: KObject): string => ((pod.status as { phase?: string } | undefined)?.phase ?? '');

export const podNodeName = (pod: KObject): string => ((pod.spec as { nodeName?: string } | undefined)?.nodeName ?? '');

function readyCondition(pod: KObject): PodCondition | undefined {
  const conditions = (pod.status as { conditions?: PodCondition[] } | undefined)?.conditions;
  return Array.isArray(conditions) ? conditions.find((c) => c?.type === 'Ready') : undefined;
}

/** FilterActivePods: not terminated (Succeeded, Failed) and not being deleted. */
export function isPodActive(pod: KObject): boolean {
  const phase = podPhase(pod);
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

export function isPodReady(pod: KObject): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** When the pod last turned Ready (ms), if it is ready. */
export function podReadyTime(pod: KObject): number | undefined {
  const c = readyCondition(pod);
  if (c?.status !== 'True' || !c.lastTransitionTime) return undefined;
  const t = Date.parse(c.lastTransitionTime);
  return Number.isNaN(t) ? undefined : t;
}

/** IsPodAvailable: ready, and for at least minReadySeconds. */
export function isPodAvailable(pod: KObject, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = podReadyTime(pod);
  return since !== undefined && since + minReadySeconds * 1000 <= now;
}

/** The highest restart count among the pod's containers. */
export function maxContainerRestarts(pod: KObject): number {
  const statuses = (pod.status as { containerStatuses?: Array<{ restartCount?: number }> } | undefined)?.containerStatuses;
  return Array.isArray(statuses) ? Math.max(0, ...statuses.map((s) => s?.restartCount ?? 0)) : 0;
}
