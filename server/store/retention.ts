/**
 * Retention: compacts the log periodically so that it keeps at most `keepRevisions` revisions
 * and at most `maxAgeMs` of history (whichever leaves less), then gives the freed space back
 * once, at the end of the pass (store.reclaim: for SQLite, incremental vacuum and a truncating WAL
 * checkpoint, on the event loop; once a step, it was 2.6% of the API server at 5,000 nodes).
 *
 * A pass moves each floor up in steps of at most `stepRevisions`, each its own compaction (a
 * transaction), and the timer's pass yields to the server between steps: at 5,000 nodes a minute
 * of Lease renewals is 30,000 versions, and compacting them at once held the event loop for
 * seconds, every minute.
 */
import type { EventLog, LogHistory, Maintenance, Projections } from './types.js';

/** What retention uses of the store: the log's bounds, time to revision, compaction. */
type RetentionStore = Pick<EventLog, 'head' | 'floor'> & Pick<LogHistory, 'revisionBefore'> & Pick<Maintenance, 'compact' | 'compactKind' | 'reclaim'> & Pick<Projections, 'kindFloor'>;
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
  /** Revisions of the log one compaction step covers at most (default 5,000). */
  stepRevisions?: number;
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

/**
 * One retention pass as a sequence of compaction steps (each a floor moved up by at most
 * `stepRevisions`), pausing after each; returns the log's floor after it.
 */
export function* retentionSteps(store: RetentionStore, options: RetentionOptions, now = Date.now()): Generator<void, number> {
  const step = Math.max(1, options.stepRevisions ?? 5_000);
  let steps = 0;
  // Kinds first, then the log; one reclaim after all of them.
  for (const [kind, maxAgeMs] of Object.entries(options.kinds ?? {})) {
    const floor = Math.min(store.revisionBefore(now - maxAgeMs), store.head());
    while (floor > store.kindFloor(kind)) {
      store.compactKind(kind, Math.min(floor, store.kindFloor(kind) + step));
      steps++;
      yield;
    }
  }
  const floor = retentionFloor(store, options, now);
  while (floor > store.floor()) {
    store.compact(Math.min(floor, store.floor() + step));
    steps++;
    yield;
  }
  if (steps > 0) store.reclaim();
  return store.floor();
}

/** One retention pass, all its steps at once; returns the floor after it. */
export function applyRetention(store: RetentionStore, options: RetentionOptions, now = Date.now()): number {
  const steps = retentionSteps(store, options, now);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

export function startRetention(store: RetentionStore, options: RetentionOptions): () => void {
  let running = false;
  let stopped = false;
  const pass = async () => {
    const steps = retentionSteps(store, options);
    try {
      while (!stopped && !steps.next().done) await new Promise((resolve) => setImmediate(resolve));
    } catch (error) {
      // A busy database (another process's write) or a closing store: the next pass tries again.
      log.warn({ err: error }, 'retention: compaction failed; the next pass tries again');
    }
  };
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void pass().finally(() => (running = false));
  }, options.intervalMs ?? 60_000);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
