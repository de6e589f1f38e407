/** A pod's standing as the ReplicaSet controller judges it (podutil): active, ready, available after minReadySeconds. */
import type { Pod } from '../../resources/objects.js';

export const podPhase = (pod: Pod): string => pod.status?.phase ?? '';

export const podNodeName = (pod: Pod): string => pod.spec.nodeName ?? '';

const readyCondition = (pod: Pod) => pod.status?.conditions?.find((c) => c.type === 'Ready');

/** FilterActivePods: not terminated (Succeeded, Failed) and not being deleted. */
export function isPodActive(pod: Pod): boolean {
  const phase = podPhase(pod);
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** When the pod last turned Ready (ms), if it is ready. */
export function podReadyTime(pod: Pod): number | undefined {
  const c = readyCondition(pod);
  if (c?.status !== 'True' || !c.lastTransitionTime) return undefined;
  const t = Date.parse(c.lastTransitionTime);
  return Number.isNaN(t) ? undefined : t;
}

/** IsPodAvailable: ready, and for at least minReadySeconds. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = podReadyTime(pod);
  return since !== undefined && since + minReadySeconds * 1000 <= now;
}

/**
 * How long until the first of `pods` that is ready but not yet available becomes available (ms,
 * just past the moment), or undefined when none is waiting: when an owner's availableReplicas changes next.
 */
export function nextAvailableInMs(pods: Pod[], minReadySeconds: number, now: number): number | undefined {
  if (minReadySeconds <= 0) return undefined;
  let soonest: number | undefined;
  for (const pod of pods) {
    const since = podReadyTime(pod);
    if (since === undefined) continue;
    const at = since + minReadySeconds * 1000;
    if (at > now) soonest = Math.min(soonest ?? Infinity, at - now + 1);
  }
  return soonest;
}

/** The highest restart count among the pod's containers. */
export function maxContainerRestarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((s) => s.restartCount ?? 0));
}
