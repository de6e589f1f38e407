/**
 * Where a ReplicaSet's next slow start begins. Kubernetes begins every sync's creates at a batch of
 * 1 and doubles; here a scale-up whose creates keep succeeding goes on from the batch it reached
 * (doubled, up to burstReplicas), so a 10,000-pod ReplicaSet is made in full bursts, not in a climb
 * from 1 every 500 pods. The slow start guards against a template every create of which the server
 * refuses: only a refusal begins it again from 1. A create whose answer was lost or late
 * (UNAVAILABLE: it may have been made, and its requestId makes the retry answer it), which the
 * server shed (RATE_LIMITED), or whose id was spent, says nothing about the template: the sync is
 * retried with the work queue's backoff and goes on from the batch it had reached.
 */
import { hasCode } from '../create-object.js';
import { SpentRequestIdError } from './manage-replicas.js';

/** A slow start resumes where the last one left off only if that ended this recently. */
export const WARM_MS = 60_000;

export interface SlowStartResume {
  /** The batch the next slow start begins with. */
  batch: number;
  /** When the run that reached it ended (ms since the epoch). */
  at: number;
}

/** A create's failure that is not the server refusing the pod (see above). */
export function isTransientCreateError(error: Error): boolean {
  return error instanceof SpentRequestIdError || hasCode(error, 'UNAVAILABLE') || hasCode(error, 'RATE_LIMITED');
}

/** The first batch of a slow start after `resume` (1 when there is none, or it is older than WARM_MS). */
export function firstBatch(resume: SlowStartResume | undefined, now: number): number {
  return resume && now - resume.at < WARM_MS ? resume.batch : 1;
}

/**
 * Where the next slow start begins after a run that began at `resume` and ended at `now` with
 * `error` (its first failure, if any), `largestBatch` (its largest batch that succeeded whole) and
 * `created` (the pods it made). A run that failed nowhere has shown that `created` creates go
 * through: the next begins with that many if it is more than the doubled batch (the climb 1, 2, …,
 * 128, 245 that made the first 500 is followed by 500, not by 490 and a round for the last 10).
 */
export function nextResume(
  resume: SlowStartResume | undefined,
  run: { error?: Error; largestBatch: number; created?: number },
  burst: number,
  now: number,
): SlowStartResume | undefined {
  const transient = run.error !== undefined && isTransientCreateError(run.error);
  if (run.error && !transient) return undefined;
  // After a transient failure the batch that failed is not doubled: the run goes on at the batch it had reached.
  if (run.largestBatch > 0) return { batch: Math.min(burst, transient ? run.largestBatch : Math.max(2 * run.largestBatch, run.created ?? 0)), at: now };
  if (transient && resume) return { batch: resume.batch, at: now };
  return resume;
}
