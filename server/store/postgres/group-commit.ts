/**
 * Group commit against PostgreSQL (DESIGN.md §8). One batch in flight per server: the writes that
 * gathered meanwhile run together. A batch opens a PostgreSQL transaction and takes the log's head
 * row lock (held to COMMIT, so commits happen in revision order on every server); inside the lock
 * it first brings the replica up to the head (other servers' commits, published to onCommit at
 * once), so CONFLICT, idempotency, quota and allocations are decided against the true current
 * state; then runs its jobs on the replica as SQLite's group commit does (a savepoint each,
 * revisions from the head), ships the rows to PostgreSQL, moves the head, NOTIFYs it, and commits.
 * Only then are the jobs answered and the events published. Until then the replica holds the rows
 * committed but unpublished: readers read at the published revision. If PostgreSQL fails, the
 * replica is rewound to where the batch began and the batch's writes fail UNAVAILABLE.
 */
import type pg from 'pg';
import { KubeqlError } from '../../errors.js';
import type { AllocationsOf } from '../records.js';
import { toStoredEvent } from '../sqlite/stored-event.js';
import { createWriteTx, type RevisionCounter } from '../sqlite/write-transaction.js';
import type { StoredEvent, WriteTx } from '../types.js';
import { readLogAfter } from './read-log.js';
import type { EventRow, ObjectKeyRow, Replica } from '../sqlite/replica.js';
import { shipBatch } from './ship-batch.js';
import type { SerialQueue } from './serial-queue.js';

interface Job {
  fn: (tx: WriteTx) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
  events: StoredEvent[];
}

/** Events read from PostgreSQL per statement while catching up. */
const CATCH_UP_PAGE = 1_000;

/** The channel every server LISTENs on; the payload is the new head. */
export const LOG_CHANNEL = 'kubeql_log';

export interface PostgresCommitOptions {
  pool: pg.Pool;
  replica: Replica;
  queue: SerialQueue;
  counter: RevisionCounter;
  allocationsOf: AllocationsOf;
  /** Called with each run of events that became visible (committed in PostgreSQL), in order. */
  publish: (head: number, events: StoredEvent[]) => void;
  onBatch?: (writes: number, durationMs: number) => void;
}

export function createPostgresCommit(options: PostgresCommitOptions) {
  const { pool, replica, queue, counter, allocationsOf, publish, onBatch } = options;
  const { sqlite, st } = replica;
  let waiting: Job[] = [];
  let scheduled = false;
  let catchUpScheduled = false;
  /** The highest revision the log is known to have reached (NOTIFY payloads, floors). */
  let knownHead = 0;
  /** Set once the replica has missed compacted events: writes are refused until it is copied afresh (resume). */
  let stale: KubeqlError | undefined;

  const inSavepoint = sqlite.transaction((job: Job) => job.fn(createWriteTx(st, counter, allocationsOf, job.events)));
  const runLocally = sqlite.transaction((batch: Job[]) => {
    for (const job of batch) {
      const before = counter.head;
      try {
        job.outcome = { ok: true, value: inSavepoint(job) };
      } catch (error) {
        if (!sqlite.inTransaction) throw error;
        counter.head = before;
        job.events = [];
        job.outcome = { ok: false, error };
      }
    }
  });

  /**
   * Applies committed events after the replica's head (up to `head` when known) and publishes them.
   * The log has no gaps above the floors, so a missing revision means compaction removed events this
   * replica never read (it fell that far behind): it can no longer follow the log, and says so.
   */
  async function catchUp(client: pg.ClientBase | pg.Pool, head?: number): Promise<void> {
    if (stale) throw stale;
    for (;;) {
      const rows = await readLogAfter(client, counter.head, CATCH_UP_PAGE);
      if (rows.length === 0) break;
      if (rows[0].revision !== counter.head + 1) throw fellBehind(rows[0].revision - 1);
      replica.applyEvents(rows);
      counter.head = rows[rows.length - 1].revision;
      publish(counter.head, rows.map((row: EventRow) => toStoredEvent(row)));
      if (rows.length < CATCH_UP_PAGE) break;
    }
    if (head !== undefined && head > counter.head) throw fellBehind(head);
  }

  function fellBehind(through: number): KubeqlError {
    stale = new KubeqlError(
      'UNAVAILABLE',
      `this API server's replica of the log is at revision ${counter.head}, and revisions through ${through} have been compacted away before it read them: it is copying the database afresh; other servers take writes meanwhile`,
      { retryable: true },
    );
    return stale;
  }

  async function runBatch(batch: Job[]): Promise<void> {
    const started = performance.now();
    let client: pg.PoolClient | undefined;
    let before = counter.head;
    let touched: ObjectKeyRow[] = [];
    let local = false;
    let commitSent = false;
    try {
      client = await pool.connect();
      await client.query('BEGIN');
      const head = (await client.query<{ head: number }>('SELECT head FROM log_head WHERE id = 1 FOR UPDATE')).rows[0].head;
      if (head !== counter.head) await catchUp(client, head);
      if (head !== counter.head) throw new Error(`the replica is at revision ${counter.head}, the log at ${head}`);
      before = counter.head;
      try {
        runLocally.immediate(batch);
      } catch (error) {
        // The replica's transaction failed as a whole: nothing of the batch was written anywhere.
        await client.query('ROLLBACK');
        client.release();
        client = undefined;
        for (const job of batch) job.outcome = { ok: false, error };
        return;
      }
      local = true;
      const events = batch.flatMap((job) => job.events);
      if (events.length) {
        touched = keysOf(events);
        await shipBatch(client, before, touched, replica.rowsAbove(before, touched));
        await client.query(`WITH h AS (UPDATE log_head SET head = $1 WHERE id = 1 RETURNING head) SELECT pg_notify('${LOG_CHANNEL}', head::text) FROM h`, [counter.head]);
      }
      commitSent = true;
      await client.query('COMMIT');
      client.release();
      client = undefined;
    } catch (error) {
      if (client) {
        if (!commitSent) await client.query('ROLLBACK').catch(() => {});
        client.release(true);
      }
      if (local && counter.head > before) replica.rewind(before, touched);
      counter.head = before;
      // The replica's own refusal (it fell behind a compaction) says what to do; PostgreSQL's failures are wrapped.
      const answer = error instanceof KubeqlError && !commitSent ? error : unavailable(error, commitSent);
      for (const job of batch) job.outcome = { ok: false, error: answer };
      return;
    } finally {
      onBatch?.(batch.length, performance.now() - started);
      settle(batch);
    }
    const events = batch.flatMap((job) => (job.outcome?.ok ? job.events : []));
    if (events.length) publish(counter.head, events);
  }

  function settle(batch: Job[]): void {
    for (const job of batch) {
      const outcome = job.outcome!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    }
  }

  return {
    write<T>(fn: (tx: WriteTx) => T): Promise<T> {
      if (stale) return Promise.reject(stale);
      return new Promise<T>((resolve, reject) => {
        waiting.push({ fn, resolve: resolve as (v: unknown) => void, reject, events: [] });
        if (scheduled) return;
        scheduled = true;
        void queue.run(async () => {
          scheduled = false;
          const batch = waiting;
          waiting = [];
          await runBatch(batch);
        });
      });
    },
    /** Why the replica can no longer follow the log (undefined while it can). */
    staleness: (): KubeqlError | undefined => stale,
    /** The replica was copied afresh from the database (recopy.ts) and follows the log again from `counter.head`. */
    resume(): void {
      stale = undefined;
    },
    /**
     * Reads other servers' commits (on NOTIFY, or the healing timer); at most one such task waits in
     * the queue. `head`, when known (a NOTIFY's payload, a floor), is a revision the log has reached:
     * a replica that cannot read up to it has fallen behind a compaction (staleness).
     */
    catchUp(head?: number): Promise<void> {
      if (head !== undefined) knownHead = Math.max(knownHead, head);
      if (catchUpScheduled) return Promise.resolve();
      catchUpScheduled = true;
      return queue.run(async () => {
        catchUpScheduled = false;
        await catchUp(pool, knownHead > counter.head ? knownHead : undefined);
      });
    },
  };
}

function keysOf(events: readonly StoredEvent[]): ObjectKeyRow[] {
  const seen = new Map<string, ObjectKeyRow>();
  for (const { kind, namespace, name } of events) seen.set(`${kind}\u0000${namespace}\u0000${name}`, { kind, namespace, name });
  return [...seen.values()];
}

/** PostgreSQL failed the batch: retryable when it never reached COMMIT; unknown outcome when COMMIT itself failed. */
function unavailable(error: unknown, commitSent: boolean): KubeqlError {
  const reason = (error as Error).message;
  return commitSent
    ? new KubeqlError('UNAVAILABLE', `the log's database did not confirm the commit (${reason}): the outcome of this write is unknown; read before retrying`, { retryable: false })
    : new KubeqlError('UNAVAILABLE', `the log's database refused the write (${reason}); nothing was written`, { retryable: true });
}
