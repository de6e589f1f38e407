/**
 * A read at a revision this server's replica has not applied yet. A client that failed over from
 * another server of the log may already have seen a revision this replica learns of a few
 * milliseconds later (its NOTIFY is on the way): refusing the read would turn every failover into a
 * retry loop. As kube-apiserver waits for its watch cache, the read waits for the replica, bounded:
 * the log's head in PostgreSQL says at once whether the revision was ever committed (if not, the
 * read's own check refuses it); if it was, a catch-up is started and the read goes on when the
 * replica publishes it, or fails UNAVAILABLE (retryable) past the bound.
 */
import { KubeqlError } from '../../errors.js';
import type { StoredEvent } from '../types.js';

export interface ReachOptions {
  /** The replica's published head. */
  head(): number;
  /** The log's committed head in PostgreSQL. */
  logHead(): Promise<number>;
  /** Starts reading the log after the replica's head, up to `head` which the log has reached (it publishes through onCommit). */
  catchUp(head: number): void;
  onCommit(listener: (head: number, events: readonly StoredEvent[]) => void): () => void;
  /** Why the replica cannot follow the log now (behind a compaction), if it cannot. */
  failure(): KubeqlError | undefined;
  /** How long a read waits for the replica (ms). */
  timeoutMs: number;
}

export function reachRevision(revision: number, options: ReachOptions): Promise<void> {
  const { head, timeoutMs } = options;
  if (revision <= head()) return Promise.resolve();
  const failure = options.failure();
  if (failure) return Promise.reject(failure);
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (error?: KubeqlError) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      if (error) reject(error);
      else resolve();
    };
    const unsubscribe = options.onCommit((published) => {
      if (published >= revision) finish();
    });
    const timer = setTimeout(
      () =>
        finish(
          options.failure() ??
            new KubeqlError(
              'UNAVAILABLE',
              `revision ${revision} is committed, but this API server's replica of the log is still at ${head()} after ${timeoutMs} ms: try again, or another server`,
              { retryable: true, revision, head: head() },
            ),
        ),
      timeoutMs,
    );
    options.logHead().then(
      (logged) => {
        // Never committed (the read refuses it), or published while PostgreSQL answered.
        if (logged < revision || head() >= revision) finish();
        else options.catchUp(logged);
      },
      (error: unknown) =>
        finish(new KubeqlError('UNAVAILABLE', `cannot read the head of the log to wait for revision ${revision} (${(error as Error).message})`, { retryable: true })),
    );
  });
}
