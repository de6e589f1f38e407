/**
 * The `log` subscription's source: the raw log as it grows, filtered, from a revision. It catches
 * up by cursor with indexed reads of the log (store.readAudit, a page at a time, only as fast as
 * the consumer pulls), then turns live: each commit's matching events (store.onCommit) go into a
 * bounded buffer. A consumer that lets the buffer pass its bound is ended with SLOW_CONSUMER and
 * resumes from the last revision it received; a cursor overtaken by compaction ends with EXPIRED.
 */
import { KubeqlError, expired } from '../../errors.js';
import { matchesAudit, type AuditFilter } from '../../store/audit-filter.js';
import type { Store, StoredEvent } from '../../store/types.js';

export interface LogStreamOptions {
  /** Matching live events held for a consumer that has not taken them (default 10,000). */
  maxBuffer?: number;
  /** Events per catch-up read (default 500). */
  pageSize?: number;
}

/** Checks `fromRevision` (exclusive) against the log now: above the head BAD_USER_INPUT, below the floor EXPIRED. */
function startCursor(store: Store, fromRevision: number | undefined): number {
  if (fromRevision === undefined) return store.head();
  if (fromRevision > store.head())
    throw new KubeqlError('BAD_USER_INPUT', `fromRevision ${fromRevision} is newer than the head of the log (${store.head()})`, { field: 'fromRevision' });
  if (fromRevision < store.floor())
    throw expired(fromRevision, store.floor());
  return fromRevision;
}

export function openLogStream(store: Store, filter: AuditFilter, fromRevision: number | undefined, options: LogStreamOptions = {}): AsyncIterableIterator<StoredEvent> {
  const maxBuffer = options.maxBuffer ?? 10_000;
  const pageSize = options.pageSize ?? 500;
  /** Every event up to here has been read (delivered or queued, or did not match). */
  let cursor = startCursor(store, fromRevision);
  let live = false;
  const queue: StoredEvent[] = [];
  let failure: KubeqlError | undefined;
  let done = false;
  let wake: (() => void) | undefined;
  const end = filter.toRevision;

  const unsubscribe = store.onCommit((head, events) => {
    // Before turning live, the catch-up reads find these in the log.
    if (!live || done || failure) return;
    if (events.length === 0) {
      // The store's state jumped (a replica copied afresh): read on by cursor from the log, which
      // is EXPIRED when what lay between was compacted.
      if (head > cursor) live = false;
      wake?.();
      return;
    }
    for (const e of events) if (e.revision > cursor && matchesAudit(filter, e)) queue.push(e);
    cursor = head;
    if (queue.length > maxBuffer) {
      queue.length = 0;
      failure = new KubeqlError('SLOW_CONSUMER', `the log subscriber fell more than ${maxBuffer} events behind; resume from the last revision received`);
      unsubscribe();
    }
    wake?.();
  });

  /** Reads the next page of the log after the cursor; turns live once it reaches the head. */
  function catchUp(): void {
    const page = store.readAudit(filter, cursor, pageSize);
    queue.push(...page.events);
    // Without more, everything up to the head has been read (the read and head() are one synchronous step).
    cursor = page.hasMore ? page.events.at(-1)!.revision : store.head();
    if (!page.hasMore) live = true;
  }

  const finish = () => {
    done = true;
    queue.length = 0;
    unsubscribe();
    wake?.();
  };

  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<StoredEvent>> {
      for (;;) {
        if (done) return { value: undefined, done: true };
        if (queue.length > 0) return { value: queue.shift()!, done: false };
        if (failure) {
          const error = failure;
          finish();
          throw error;
        }
        // A bounded range (filter.toRevision) completes once the log has passed it.
        if (end !== undefined && cursor >= end) {
          finish();
          return { value: undefined, done: true };
        }
        if (!live) {
          try {
            catchUp();
          } catch (error) {
            failure = error as KubeqlError;
          }
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    },
    async return(): Promise<IteratorResult<StoredEvent>> {
      finish();
      return { value: undefined, done: true };
    },
  };
}
