/**
 * Scaling a Deployment without a rollout (isScalingEvent, sync, scale): a single active ReplicaSet
 * takes the new size; a saturated new one lets the old ones go to zero; otherwise the change is
 * spread over the active ReplicaSets in proportion to their size (GetProportion, by the
 * max-replicas annotation), leftovers to the largest.
 */
import type { ReplicaSet } from '../../resources/objects.js';
import { rsStatus } from '../replicaset/status.js';
import { cleanupDeployment } from './cleanup.js';
import { deploymentStatus, isRollingUpdate, maxSurge } from './deployment-spec.js';
import type { DeploymentSync } from './deployment-sync.js';
import { getAllReplicaSetsAndSyncRevision } from './new-replica-set.js';
import { byCreation, bySizeNewer, bySizeOlder, filterActive, replicaCount, specReplicas } from './replica-set-counts.js';
import { DESIRED_REPLICAS, MAX_REPLICAS, intAnnotation } from './revisions.js';
import { syncDeploymentStatus } from './status.js';

/** isScalingEvent: an active ReplicaSet was sized for a different replica count than the Deployment's. */
export async function isScalingEvent(s: DeploymentSync, rsList: ReplicaSet[]): Promise<boolean> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, rsList, false);
  const all = newRS ? [...oldRSs, newRS] : oldRSs;
  return filterActive(all).some((rs) => {
    const desired = intAnnotation(rs, DESIRED_REPLICAS);
    return desired !== undefined && desired !== s.spec.replicas;
  });
}

/** FindActiveOrLatest: the only active ReplicaSet, or the newest when none is active; undefined when several are. */
function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = filterActive(newRS ? [...newestFirst, newRS] : newestFirst);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

function isSaturated(s: DeploymentSync, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = intAnnotation(rs, DESIRED_REPLICAS);
  const replicas = s.spec.replicas;
  return specReplicas(rs) === replicas && desired === replicas && (rsStatus(rs).availableReplicas ?? 0) === replicas;
}

/** getReplicaSetFraction / GetProportion. */
function proportion(s: DeploymentSync, rs: ReplicaSet, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const replicas = s.spec.replicas;
  let fraction: number;
  if (replicas === 0) fraction = -specReplicas(rs);
  else {
    const maxNow = replicas + maxSurge(s.d);
    let maxBefore = intAnnotation(rs, MAX_REPLICAS) ?? 0;
    if (maxBefore === 0) maxBefore = deploymentStatus(s.d).replicas ?? 0;
    fraction = maxBefore === 0 ? 0 : Math.round((specReplicas(rs) * maxNow) / maxBefore) - specReplicas(rs);
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

async function scale(s: DeploymentSync, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
  const replicas = s.spec.replicas;
  const only = findActiveOrLatest(newRS, oldRSs);
  if (only) {
    if (specReplicas(only) !== replicas) await s.scaleReplicaSet(only, replicas);
    return;
  }
  if (isSaturated(s, newRS)) {
    for (const old of filterActive(oldRSs)) await s.scaleIfNeeded(old, 0);
    return;
  }
  if (!isRollingUpdate(s.d)) return;
  const all = filterActive(newRS ? [...oldRSs, newRS] : oldRSs);
  const allowed = replicas > 0 ? replicas + maxSurge(s.d) : 0;
  const toAdd = allowed - replicaCount(all);
  if (toAdd > 0) all.sort(bySizeNewer);
  else if (toAdd < 0) all.sort(bySizeOlder);
  let added = 0;
  const sizes = all.map((rs) => {
    if (toAdd === 0) return specReplicas(rs);
    const p = proportion(s, rs, toAdd, added);
    added += p;
    return specReplicas(rs) + p;
  });
  // Leftovers go to the largest.
  if (all.length > 0 && toAdd !== 0) sizes[0] = Math.max(0, sizes[0] + toAdd - added);
  for (let i = 0; i < all.length; i++) await s.scaleReplicaSet(all[i], sizes[i]);
}

/** sync: scale, clean up when paused, and write the status (no rollout step). */
export async function syncScale(s: DeploymentSync, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, rsList, false);
  await scale(s, newRS, oldRSs);
  if (s.spec.paused) await cleanupDeployment(s, oldRSs);
  // The status follows from the ReplicaSets as the informer shows them next time.
  await syncDeploymentStatus(s, newRS ? [...oldRSs, newRS] : oldRSs, newRS);
}
