/** Retention: compacts the log periodically so that it keeps about `keepRevisions` of history. */
import type { Store } from './types.js';

export interface RetentionOptions {
  /** Revisions of history kept below the head (compaction floor = head − keepRevisions). */
  keepRevisions: number;
  /** How often to compact (default 60 s). */
  intervalMs?: number;
}

export function startRetention(store: Store, options: RetentionOptions): () => void {
  const run = () => {
    const floor = store.head() - options.keepRevisions;
    if (floor > store.floor()) store.compact(floor);
  };
  const timer = setInterval(run, options.intervalMs ?? 60_000);
  timer.unref();
  return () => clearInterval(timer);
}
