/** cleanupDeployment: beyond revisionHistoryLimit, the oldest old ReplicaSets that are fully scaled down are deleted. */
import type { ReplicaSet } from '../../resources/objects.js';
import { rsStatus } from '../replicaset/status.js';
import type { DeploymentSync } from './deployment-sync.js';
import { specReplicas } from './replica-set-counts.js';
import { revisionOf } from './revisions.js';

export async function cleanupDeployment(s: DeploymentSync, oldRSs: ReplicaSet[]): Promise<void> {
  const limit = s.spec.revisionHistoryLimit;
  if (limit === undefined || limit === null) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort((a, b) => revisionOf(a) - revisionOf(b) || a.metadata.name.localeCompare(b.metadata.name));
  const excess = cleanable.length - limit;
  for (const rs of cleanable.slice(0, Math.max(0, excess))) {
    const status = rsStatus(rs);
    if ((status.replicas ?? 0) !== 0 || specReplicas(rs) !== 0 || rs.metadata.generation > (status.observedGeneration ?? 0)) continue;
    await s.deleteReplicaSet(rs);
  }
}
