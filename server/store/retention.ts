/**
 * Retention: compacts the log periodically so that it keeps at most `keepRevisions` revisions
 * and at most `maxAgeMs` of history (whichever leaves less), then gives the freed space back
 * (store.compact reclaims: incremental vacuum and a truncating WAL checkpoint).
 */
import type { EventLog, LogHistory, Maintenance, Projections } from './types.js';

/** What retention uses of the store: the log's bounds, time to revision, compaction. */
type RetentionStore = Pick<EventLog, 'head' | 'floor'> & Pick<LogHistory, 'revisionBefore'> & Pick<Maintenance, 'compact' | 'compactKind'> & Pick<Projections, 'kindFloor'>;
import { createLogger } from '../logging/logger.js';

const log = createLogger('store');

export interface RetentionOptions {
  /** Revisions of history kept below the head (compaction floor = head − keepRevisions). */
  keepRevisions?: number;
  /** Age of the oldest event kept, ms (compaction floor = the newest revision older than that). */
  maxAgeMs?: number;
  /** How often to compact (default 60 s). */
  intervalMs?: number;
  /**
   * High-churn kinds compacted faster than the rest: per kind, the age of the oldest version kept
   * (its superseded versions and their events older than that go; reads of the kind below its floor are EXPIRED).
   */
  kinds?: Record<string, number>;
}

/** The default: superseded Leases and Events after 5 minutes (Kubernetes compacts etcd every 5 minutes), all history after 24 hours. */
export const DEFAULT_RETENTION: RetentionOptions = { maxAgeMs: 24 * 3600_000, kinds: { Lease: 5 * 60_000, Event: 5 * 60_000 }, intervalMs: 60_000 };

/** The floor the options call for now (≤ the head; ≤ the current floor means nothing to do). */
export function retentionFloor(store: RetentionStore, options: RetentionOptions, now = Date.now()): number {
  let floor = 0;
  if (options.keepRevisions !== undefined) floor = Math.max(floor, store.head() - options.keepRevisions);
  if (options.maxAgeMs !== undefined) floor = Math.max(floor, store.revisionBefore(now - options.maxAgeMs));
  return Math.min(floor, store.head());
}

/** One retention pass; returns the floor after it. */
export function applyRetention(store: RetentionStore, options: RetentionOptions, now = Date.now()): number {
  // Kinds first: the log's compaction that follows reclaims their space too.
  for (const [kind, maxAgeMs] of Object.entries(options.kinds ?? {})) {
    const floor = Math.min(store.revisionBefore(now - maxAgeMs), store.head());
    if (floor > store.kindFloor(kind)) store.compactKind(kind, floor);
  }
  const floor = retentionFloor(store, options, now);
  return floor > store.floor() ? store.compact(floor) : store.floor();
}

export function startRetention(store: RetentionStore, options: RetentionOptions): () => void {
  const timer = setInterval(() => {
    try {
      applyRetention(store, options);
    } catch (error) {
      // A busy database (another process's write) or a closing store: the next pass tries again.
      log.warn({ err: error }, 'retention: compaction failed; the next pass tries again');
    }
  }, options.intervalMs ?? 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
