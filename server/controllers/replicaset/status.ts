/** A ReplicaSet's status from its active pods (calculateStatus), and whether it differs from the stored one. */
import { isDeepStrictEqual } from 'node:util';
import type { Pod, ReplicaSet, ReplicaSetStatus } from '../../resources/objects.js';
import { isPodAvailable, isPodReady } from './pod-conditions.js';

export type { ReplicaSetStatus };
export type ReplicaSetCondition = NonNullable<ReplicaSetStatus['conditions']>[number];

/** A ReplicaSet's status, empty before its first write. */
export const rsStatus = (rs: ReplicaSet): ReplicaSetStatus => rs.status ?? {};

const now = () => new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** `manageError` adds (or clears) the ReplicaFailure condition, as Kubernetes does. */
export function calculateStatus(rs: ReplicaSet, pods: Pod[], manageError: Error | undefined): ReplicaSetStatus {
  const spec = rs.spec;
  const templateLabels = spec.template.metadata?.labels ?? {};
  const fullyLabeled = (labels: Record<string, string> | undefined) => Object.entries(templateLabels).every(([k, v]) => labels?.[k] === v);
  const at = Date.now();
  let fullyLabeledReplicas = 0;
  let readyReplicas = 0;
  let availableReplicas = 0;
  for (const pod of pods) {
    if (fullyLabeled(pod.metadata.labels)) fullyLabeledReplicas++;
    if (isPodReady(pod)) {
      readyReplicas++;
      if (isPodAvailable(pod, spec.minReadySeconds ?? 0, at)) availableReplicas++;
    }
  }
  const status: ReplicaSetStatus = { ...rsStatus(rs), replicas: pods.length, fullyLabeledReplicas, readyReplicas, availableReplicas };
  // Kubernetes serializes these with omitempty.
  for (const field of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'] as const) if (status[field] === 0) delete status[field];
  const conditions = (status.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
  const failure = status.conditions?.find((c) => c.type === 'ReplicaFailure');
  if (manageError && !failure) {
    const diff = pods.length - (spec.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : undefined;
    conditions.push({ type: 'ReplicaFailure', status: 'True', lastTransitionTime: now(), ...(reason ? { reason } : {}), message: manageError.message });
  } else if (manageError && failure) conditions.push(failure);
  if (conditions.length) status.conditions = conditions;
  else delete status.conditions;
  return status;
}

/** updateReplicaSetStatus' early return: nothing to write when the counts, observedGeneration and conditions are as stored. */
export function statusUnchanged(rs: ReplicaSet, next: ReplicaSetStatus): boolean {
  const cur = rsStatus(rs);
  return (
    cur.replicas === next.replicas &&
    (cur.fullyLabeledReplicas ?? 0) === (next.fullyLabeledReplicas ?? 0) &&
    (cur.readyReplicas ?? 0) === (next.readyReplicas ?? 0) &&
    (cur.availableReplicas ?? 0) === (next.availableReplicas ?? 0) &&
    cur.observedGeneration === rs.metadata.generation &&
    isDeepStrictEqual(cur.conditions ?? [], next.conditions ?? [])
  );
}
