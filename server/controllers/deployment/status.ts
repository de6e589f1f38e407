/**
 * A Deployment's status (calculateStatus) and its conditions as Kubernetes sets them: Available
 * (MinimumReplicasAvailable / MinimumReplicasUnavailable) and Progressing (NewReplicaSetCreated,
 * FoundNewReplicaSet, ReplicaSetUpdated, NewReplicaSetAvailable, ProgressDeadlineExceeded,
 * DeploymentPaused, DeploymentResumed); syncRolloutStatus writes only when something changed.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Deployment, ReplicaSet } from '../../resources/objects.js';
import { deploymentSpec, deploymentStatus, hasProgressDeadline, maxUnavailable, type DeploymentCondition, type DeploymentStatus } from './deployment-spec.js';
import type { DeploymentSync } from './deployment-sync.js';
import { actualReplicaCount, availableReplicaCount, readyReplicaCount, replicaCount } from './replica-set-counts.js';

export const REASON = {
  newRSCreated: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  rsUpdated: 'ReplicaSetUpdated',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minimumAvailable: 'MinimumReplicasAvailable',
  minimumUnavailable: 'MinimumReplicasUnavailable',
} as const;

const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export function newCondition(type: string, status: DeploymentCondition['status'], reason: string, message: string): DeploymentCondition {
  const now = rfc3339(Date.now());
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

export const getCondition = (status: DeploymentStatus, type: string): DeploymentCondition | undefined => status.conditions?.find((c) => c.type === type);

/** SetDeploymentCondition: same status and reason is no change; same status keeps lastTransitionTime. */
export function setCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  if (current && current.status === condition.status) condition.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), condition];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  const conditions = (status.conditions ?? []).filter((c) => c.type !== type);
  if (conditions.length) status.conditions = conditions;
  else delete status.conditions;
}

export function calculateStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment): DeploymentStatus {
  const available = availableReplicaCount(allRSs);
  const unavailable = Math.max(0, replicaCount(allRSs) - available);
  const current = deploymentStatus(d);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: newRS ? actualReplicaCount([newRS]) : 0,
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: unavailable,
    ...(current.collisionCount !== undefined ? { collisionCount: current.collisionCount } : {}),
    ...(current.conditions ? { conditions: current.conditions.map((c) => ({ ...c })) } : {}),
  };
  // Kubernetes serializes the counts with omitempty.
  for (const key of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const) if (status[key] === 0) delete status[key];
  if (available >= deploymentSpec(d).replicas - maxUnavailable(d)) setCondition(status, newCondition('Available', 'True', REASON.minimumAvailable, 'Deployment has minimum availability.'));
  else setCondition(status, newCondition('Available', 'False', REASON.minimumUnavailable, 'Deployment does not have minimum availability.'));
  return status;
}

const n = (v: number | undefined) => v ?? 0;

/** DeploymentComplete: every replica updated and available, and the latest spec observed. */
export function deploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
  const replicas = deploymentSpec(d).replicas;
  return (
    n(status.updatedReplicas) === replicas &&
    n(status.replicas) === replicas &&
    n(status.availableReplicas) === replicas &&
    n(status.observedGeneration) >= d.metadata.generation
  );
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available replicas than before. */
function deploymentProgressing(d: Deployment, next: DeploymentStatus): boolean {
  const old = deploymentStatus(d);
  return (
    n(next.updatedReplicas) > n(old.updatedReplicas) ||
    n(next.replicas) - n(next.updatedReplicas) < n(old.replicas) - n(old.updatedReplicas) ||
    n(next.readyReplicas) > n(old.readyReplicas) ||
    n(next.availableReplicas) > n(old.availableReplicas)
  );
}

function progressDeadlineAt(d: Deployment, condition: DeploymentCondition | undefined): number | undefined {
  if (!condition?.lastUpdateTime) return undefined;
  return Date.parse(condition.lastUpdateTime) + (deploymentSpec(d).progressDeadlineSeconds ?? 600) * 1000;
}

function deploymentTimedOut(d: Deployment, next: DeploymentStatus): boolean {
  if (!hasProgressDeadline(d)) return false;
  const condition = getCondition(next, 'Progressing');
  if (!condition || condition.reason === REASON.newRSAvailable) return false;
  if (condition.reason === REASON.timedOut) return true;
  const deadline = progressDeadlineAt(d, condition);
  return deadline !== undefined && deadline < Date.now();
}

/** syncDeploymentStatus: the counts and Available, written when they changed. */
export async function syncDeploymentStatus(s: DeploymentSync, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
  const next = calculateStatus(allRSs, newRS, s.d);
  if (!isDeepStrictEqual(deploymentStatus(s.d), next)) await s.updateStatus(next);
}

/** syncRolloutStatus: also the Progressing condition, and a later look when the deadline may pass. */
export async function syncRolloutStatus(s: DeploymentSync, allRSs: ReplicaSet[], newRS: ReplicaSet | undefined): Promise<void> {
  const d = s.d;
  const next = calculateStatus(allRSs, newRS, d);
  if (!hasProgressDeadline(d)) removeCondition(next, 'Progressing');
  const current = getCondition(deploymentStatus(d), 'Progressing');
  const complete = n(next.replicas) === n(next.updatedReplicas) && current?.reason === REASON.newRSAvailable;
  if (hasProgressDeadline(d) && !complete) {
    const rsName = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (deploymentComplete(d, next)) {
      setCondition(next, newCondition('Progressing', 'True', REASON.newRSAvailable, `${rsName} has successfully progressed.`));
    } else if (deploymentProgressing(d, next)) {
      const condition = newCondition('Progressing', 'True', REASON.rsUpdated, `${rsName} is progressing.`);
      // Progress refreshes lastUpdateTime even with the same reason; lastTransitionTime stays while True.
      if (current?.status === 'True') condition.lastTransitionTime = current.lastTransitionTime;
      removeCondition(next, 'Progressing');
      setCondition(next, condition);
    } else if (deploymentTimedOut(d, next)) {
      setCondition(next, newCondition('Progressing', 'False', REASON.timedOut, `${rsName} has timed out progressing.`));
    }
  }
  // The ReplicaSets' ReplicaFailure (the new one's first) shows on the Deployment.
  const failure = replicaFailure(newRS ? [newRS] : []) ?? replicaFailure(allRSs);
  if (failure) setCondition(next, failure);
  else removeCondition(next, 'ReplicaFailure');
  if (isDeepStrictEqual(deploymentStatus(d), next)) {
    requeueStuckDeployment(s, next);
    return;
  }
  await s.updateStatus(next);
}

/** getReplicaFailures / ReplicaSetToDeploymentCondition. */
function replicaFailure(rss: ReplicaSet[]): DeploymentCondition | undefined {
  for (const rs of rss) {
    const c = (rs.status?.conditions as DeploymentCondition[] | undefined)?.find((x) => x.type === 'ReplicaFailure');
    if (c) return { type: c.type, status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message };
  }
  return undefined;
}

/** requeueStuckDeployment: a rollout without progress is looked at again when its deadline passes. */
function requeueStuckDeployment(s: DeploymentSync, next: DeploymentStatus): void {
  const current = getCondition(deploymentStatus(s.d), 'Progressing');
  if (!hasProgressDeadline(s.d) || !current || deploymentComplete(s.d, next) || current.reason === REASON.timedOut) return;
  const deadline = progressDeadlineAt(s.d, current);
  if (deadline === undefined) return;
  const after = deadline - Date.now();
  s.requeueAfter(after < 1000 ? 1000 : after + 1000);
}

/** checkPausedConditions: Progressing=Unknown when a Deployment is paused or resumed, so a pause never counts against the deadline. */
export async function checkPausedConditions(s: DeploymentSync): Promise<void> {
  if (!hasProgressDeadline(s.d)) return;
  const status = structuredClone(deploymentStatus(s.d));
  const condition = getCondition(status, 'Progressing');
  if (condition?.reason === REASON.timedOut) return;
  const pausedShown = condition?.reason === REASON.paused;
  if (s.spec.paused && !pausedShown) setCondition(status, newCondition('Progressing', 'Unknown', REASON.paused, 'Deployment is paused'));
  else if (!s.spec.paused && pausedShown) setCondition(status, newCondition('Progressing', 'Unknown', REASON.resumed, 'Deployment is resumed'));
  else return;
  await s.updateStatus(status);
}
