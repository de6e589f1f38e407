/**
 * Group commit: writes that arrive in the same tick share one IMMEDIATE transaction (one fsync),
 * each in a savepoint of its own, so each succeeds or fails alone. Revisions stay gap-free: a
 * job that fails gives its revisions back before the next job runs.
 */
import type Database from 'better-sqlite3';
import type { Allocation, KObject } from '../resources/kind.js';
import type { Statements } from './statements.js';
import { createWriteTx, type RevisionCounter } from './write-transaction.js';
import type { StoredEvent, WriteTx } from './types.js';

interface Job {
  fn: (tx: WriteTx) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
  /** The events this job appended; they count only if its savepoint is released. */
  events: StoredEvent[];
}

export function createGroupCommit(
  sqlite: Database.Database,
  st: Statements,
  counter: RevisionCounter,
  allocationsOf: (o: KObject) => Allocation[],
  committed: (head: number, events: StoredEvent[]) => void,
  onBatch?: (writes: number, durationMs: number) => void,
  faults?: { translate(error: unknown): unknown; committed(): void },
) {
  const translate = faults ? (error: unknown) => faults.translate(error) : (error: unknown) => error;
  let queue: Job[] = [];
  let scheduled = false;
  let drained: Array<() => void> = [];

  const inSavepoint = sqlite.transaction((job: Job) => job.fn(createWriteTx(st, counter, allocationsOf, job.events)));
  const runBatch = sqlite.transaction((batch: Job[]) => {
    for (const job of batch) {
      const before = counter.head;
      try {
        job.outcome = { ok: true, value: inSavepoint(job) };
      } catch (error) {
        // SQLite rolled the whole transaction back (a full disk, an I/O error): the jobs before this
        // one are undone too, so the batch fails as one.
        if (!sqlite.inTransaction) throw error;
        counter.head = before;
        job.events = [];
        job.outcome = { ok: false, error: translate(error) };
      }
    }
  });

  function flush(): void {
    scheduled = false;
    const batch = queue;
    queue = [];
    const before = counter.head;
    const started = performance.now();
    try {
      runBatch.immediate(batch);
    } catch (error) {
      // The transaction itself failed (database locked, disk full): nothing of the batch is written.
      counter.head = before;
      onBatch?.(batch.length, performance.now() - started);
      const answer = translate(error);
      for (const job of batch) job.reject(answer);
      wakeDrained();
      return;
    }
    onBatch?.(batch.length, performance.now() - started);
    faults?.committed();
    for (const job of batch) {
      const outcome = job.outcome!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    }
    if (counter.head !== before) committed(counter.head, batch.flatMap((job) => job.events));
    wakeDrained();
  }

  function wakeDrained(): void {
    if (scheduled || drained.length === 0) return;
    const waiters = drained;
    drained = [];
    for (const wake of waiters) wake();
  }

  return {
    write<T>(fn: (tx: WriteTx) => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (v: unknown) => void, reject, events: [] });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    /** Resolves once nothing is queued: every write queued so far is committed or has failed. */
    async drain(): Promise<void> {
      // Again after each wake: a write's continuation may have queued the next one.
      while (scheduled) await new Promise<void>((resolve) => drained.push(resolve));
    },
  };
}
