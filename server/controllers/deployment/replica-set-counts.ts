/** Sums and orderings over a Deployment's ReplicaSets (deploymentutil): spec and status counts, active ones, oldest first. */
import type { ReplicaSet } from '../../resources/objects.js';
import { rsStatus } from '../replicaset/status.js';

export const specReplicas = (rs: ReplicaSet): number => rs.spec.replicas ?? 1;

/** GetReplicaCountForReplicaSets: the sum of spec.replicas. */
export const replicaCount = (rss: ReplicaSet[]): number => rss.reduce((n, rs) => n + specReplicas(rs), 0);

/** GetActualReplicaCountForReplicaSets: the sum of status.replicas. */
export const actualReplicaCount = (rss: ReplicaSet[]): number => rss.reduce((n, rs) => n + (rsStatus(rs).replicas ?? 0), 0);

export const readyReplicaCount = (rss: ReplicaSet[]): number => rss.reduce((n, rs) => n + (rsStatus(rs).readyReplicas ?? 0), 0);

export const availableReplicaCount = (rss: ReplicaSet[]): number => rss.reduce((n, rs) => n + (rsStatus(rs).availableReplicas ?? 0), 0);

/**
 * Available pods a ReplicaSet can still count on: its status, but never more than its spec (a
 * ReplicaSet just scaled down reports the pods it is about to delete until its controller catches up).
 */
export const safeAvailable = (rs: ReplicaSet): number => Math.min(rsStatus(rs).availableReplicas ?? 0, specReplicas(rs));

export const filterActive = (rss: ReplicaSet[]): ReplicaSet[] => rss.filter((rs) => specReplicas(rs) > 0);

const created = (rs: ReplicaSet) => Date.parse(rs.metadata.creationTimestamp) || 0;

/** ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  return created(a) - created(b) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);
}

/** ReplicaSetsBySizeOlder / BySizeNewer: larger first; ties by age. */
export const bySizeOlder = (a: ReplicaSet, b: ReplicaSet): number => specReplicas(b) - specReplicas(a) || byCreation(a, b);
export const bySizeNewer = (a: ReplicaSet, b: ReplicaSet): number => specReplicas(b) - specReplicas(a) || byCreation(b, a);
