/** The Recreate strategy (rolloutRecreate): scale every old ReplicaSet to zero, wait until none of their pods runs, then scale the new one up. */
import type { ReplicaSet } from '../../resources/objects.js';
import { controllerOf } from '../framework/controller-ref.js';
import { podPhase } from '../replicaset/pod-conditions.js';
import { cleanupDeployment } from './cleanup.js';
import { deploymentStatus } from './deployment-spec.js';
import type { DeploymentSync } from './deployment-sync.js';
import { getAllReplicaSetsAndSyncRevision } from './new-replica-set.js';
import { actualReplicaCount, filterActive } from './replica-set-counts.js';
import { deploymentComplete, syncRolloutStatus } from './status.js';

/** oldPodsRunning: an old ReplicaSet still reports pods, or one of its pods is not terminated (Unknown counts as running). */
function oldPodsRunning(s: DeploymentSync, oldRSs: ReplicaSet[]): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  return oldRSs.some((rs) =>
    s.pods.cache.byIndex('owner', rs.metadata.uid).some((pod) => controllerOf(pod)?.uid === rs.metadata.uid && !['Failed', 'Succeeded'].includes(podPhase(pod))),
  );
}

export async function rolloutRecreate(s: DeploymentSync, rsList: ReplicaSet[]): Promise<void> {
  // No new ReplicaSet yet: it must not scale up before the old ones are down.
  let { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, rsList, false);
  let allRSs = newRS ? [...oldRSs, newRS] : oldRSs;
  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) if ((await s.scaleIfNeeded(rs, 0)).scaled) scaledDown = true;
  if (scaledDown) return syncRolloutStatus(s, allRSs, newRS);
  if (oldPodsRunning(s, oldRSs)) return syncRolloutStatus(s, allRSs, newRS);
  if (!newRS) {
    ({ newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, rsList, true));
    allRSs = [...oldRSs, newRS!];
  }
  await s.scaleIfNeeded(newRS!, s.spec.replicas);
  if (deploymentComplete(s.d, deploymentStatus(s.d))) await cleanupDeployment(s, oldRSs);
  return syncRolloutStatus(s, allRSs, newRS);
}
