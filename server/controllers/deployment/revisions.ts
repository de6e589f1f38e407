/**
 * The annotations a Deployment keeps on its ReplicaSets (deploymentutil): `deployment.kubernetes.io/revision`
 * (a reused ReplicaSet gets the next revision, its old ones kept in revision-history), desired-replicas and
 * max-replicas (for proportional scaling), and the Deployment's own annotations copied over.
 */
import type { KObject } from '../../resources/kind.js';
import type { Deployment, ReplicaSet } from '../../resources/objects.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const ROLLBACK_TO = 'deprecated.deployment.rollback.to';
const NOT_COPIED = new Set([LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, ROLLBACK_TO]);
const HISTORY_LIMIT_CHARS = 2000;

export function revisionOf(rs: ReplicaSet): number {
  const v = Number(rs.metadata.annotations?.[REVISION] ?? 0);
  return Number.isInteger(v) ? v : 0;
}

export const maxRevision = (rss: ReplicaSet[]): number => rss.reduce((max, rs) => Math.max(max, revisionOf(rs)), 0);

export function intAnnotation(o: KObject, key: string): number | undefined {
  const raw = o.metadata.annotations?.[key];
  if (raw === undefined || !/^-?\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/** SetReplicasAnnotations on `annotations`; true when something changed. */
export function setReplicasAnnotations(annotations: Record<string, string>, desired: number, max: number): boolean {
  let changed = false;
  for (const [key, value] of [
    [DESIRED_REPLICAS, String(desired)],
    [MAX_REPLICAS, String(max)],
  ]) {
    if (annotations[key] !== value) {
      annotations[key] = value;
      changed = true;
    }
  }
  return changed;
}

/**
 * SetNewReplicaSetAnnotations: the annotations the new ReplicaSet should carry, and whether they
 * differ from `rs`'s. `exists` is false for one about to be created (it also gets the replica annotations).
 */
export function newReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean, desired: number, max: number) {
  const annotations: Record<string, string> = { ...(rs.metadata.annotations ?? {}) };
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(k) || annotations[k] === v) continue;
    annotations[k] = v;
    changed = true;
  }
  const oldRaw = annotations[REVISION];
  const old = oldRaw === undefined || oldRaw === '' ? 0 : Number(oldRaw);
  if (!Number.isInteger(old)) return { annotations: rs.metadata.annotations ?? {}, changed: false };
  if (old < newRevision) {
    annotations[REVISION] = String(newRevision);
    changed = true;
    // A ReplicaSet that had a revision is being rolled back to: keep its old revisions.
    if (oldRaw !== undefined) {
      const history = annotations[REVISION_HISTORY] ? annotations[REVISION_HISTORY].split(',') : [];
      history.push(oldRaw);
      while (history.join(',').length > HISTORY_LIMIT_CHARS) history.shift();
      annotations[REVISION_HISTORY] = history.join(',');
    }
  }
  if (!exists && setReplicasAnnotations(annotations, desired, max)) changed = true;
  return { annotations, changed };
}
