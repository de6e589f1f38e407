/**
 * The RollingUpdate strategy (rolloutRolling): scale the new ReplicaSet up within maxSurge, then
 * old ones down within maxUnavailable (unhealthy replicas first), counting available pods from the
 * ReplicaSets' status; one step per sync, the next one when the informers show its effect.
 */
import type { ReplicaSet } from '../../resources/objects.js';
import { rsStatus } from '../replicaset/status.js';
import { cleanupDeployment } from './cleanup.js';
import { deploymentStatus, maxUnavailable } from './deployment-spec.js';
import type { DeploymentSync } from './deployment-sync.js';
import { getAllReplicaSetsAndSyncRevision, newRSNewReplicas } from './new-replica-set.js';
import { byCreation, filterActive, replicaCount, safeAvailable, specReplicas } from './replica-set-counts.js';
import { deploymentComplete, syncRolloutStatus } from './status.js';

async function reconcileNewReplicaSet(s: DeploymentSync, allRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  const desired = s.spec.replicas;
  if (specReplicas(newRS) === desired) return false;
  if (specReplicas(newRS) > desired) return (await s.scaleIfNeeded(newRS, desired)).scaled;
  return (await s.scaleIfNeeded(newRS, newRSNewReplicas(s.d, allRSs, newRS, desired, true))).scaled;
}

/** cleanupUnhealthyReplicas: old ReplicaSets lose their unavailable replicas first (at most maxCleanup). */
async function cleanupUnhealthyReplicas(s: DeploymentSync, oldRSs: ReplicaSet[], maxCleanup: number): Promise<{ oldRSs: ReplicaSet[]; count: number }> {
  const sorted = [...oldRSs].sort(byCreation);
  let total = 0;
  for (let i = 0; i < sorted.length && total < maxCleanup; i++) {
    const rs = sorted[i];
    const replicas = specReplicas(rs);
    const available = rsStatus(rs).availableReplicas ?? 0;
    if (replicas === 0 || replicas <= available) continue;
    const count = Math.min(maxCleanup - total, replicas - available);
    sorted[i] = (await s.scaleIfNeeded(rs, replicas - count)).rs;
    total += count;
  }
  return { oldRSs: sorted, count: total };
}

/** scaleDownOldReplicaSetsForRollingUpdate: down to what keeps `replicas - maxUnavailable` available, oldest first. */
async function scaleDownOldForRollingUpdate(s: DeploymentSync, allRSs: ReplicaSet[], oldRSs: ReplicaSet[]): Promise<number> {
  const minAvailable = s.spec.replicas - maxUnavailable(s.d);
  const available = allRSs.reduce((n, rs) => n + safeAvailable(rs), 0);
  if (available <= minAvailable) return 0;
  const toScaleDown = available - minAvailable;
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (total >= toScaleDown) break;
    if (specReplicas(rs) === 0) continue;
    const count = Math.min(specReplicas(rs), toScaleDown - total);
    await s.scaleIfNeeded(rs, specReplicas(rs) - count);
    total += count;
  }
  return total;
}

async function reconcileOldReplicaSets(s: DeploymentSync, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  if (replicaCount(oldRSs) === 0) return false;
  const minAvailable = s.spec.replicas - maxUnavailable(s.d);
  const newUnavailable = specReplicas(newRS) - (rsStatus(newRS).availableReplicas ?? 0);
  const maxScaledDown = replicaCount(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = await cleanupUnhealthyReplicas(s, oldRSs, maxScaledDown);
  const scaledDown = await scaleDownOldForRollingUpdate(s, [...cleaned.oldRSs, newRS], cleaned.oldRSs);
  return cleaned.count + scaledDown > 0;
}

export async function rolloutRolling(s: DeploymentSync, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, rsList, true);
  const allRSs = [...oldRSs, newRS!];
  if (await reconcileNewReplicaSet(s, allRSs, newRS!)) return syncRolloutStatus(s, allRSs, newRS);
  if (await reconcileOldReplicaSets(s, allRSs, filterActive(oldRSs), newRS!)) return syncRolloutStatus(s, allRSs, newRS);
  if (deploymentComplete(s.d, deploymentStatus(s.d))) await cleanupDeployment(s, oldRSs);
  return syncRolloutStatus(s, allRSs, newRS);
}
