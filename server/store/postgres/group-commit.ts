/**
 * Group commit against PostgreSQL (DESIGN.md §8). One batch in flight per server: the writes that
 * gathered meanwhile, up to the moment the batch holds the lock, run together. A batch opens a PostgreSQL transaction and takes the log's head
 * row lock (held to COMMIT, so commits happen in revision order on every server); inside the lock
 * it first brings the replica up to the head (other servers' commits, published to onCommit once
 * the batch's rows are on their way to PostgreSQL: see runBatch), so CONFLICT, idempotency, quota
 * and allocations are decided against the true current state; then runs its jobs on the replica as SQLite's group commit does (a savepoint each,
 * revisions from the head), ships the rows to PostgreSQL, moves the head, NOTIFYs it, and commits.
 * Only then are the jobs answered and the events published. Until then the replica holds the rows
 * committed but unpublished: readers read at the published revision. If PostgreSQL fails, the
 * replica is rewound to where the batch began and the batch's writes fail UNAVAILABLE.
 */
import pg from 'pg';
import { KubeqlError } from '../../errors.js';
import type { AllocationsOf } from '../records.js';
import { toStoredEvent } from '../sqlite/stored-event.js';
import { createWriteTx, type RevisionCounter } from '../sqlite/write-transaction.js';
import type { StoredEvent, WriteTx } from '../types.js';
import { CHANGES_PREPARE, changesExecute, INDEXED_READS, readChangesAfter, toChanges } from './read-changes.js';
import type { EventRow, ObjectKeyRow, Replica, ReplicaChanges } from '../sqlite/replica.js';
import { SHIP_PREPARE, shipBatchSql } from './ship-batch.js';
import type { SerialQueue } from './serial-queue.js';

interface Job {
  fn: (tx: WriteTx) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
  events: StoredEvent[];
}

/** Events read from PostgreSQL per statement while catching up under the head row lock (one round trip matters there). */
const CATCH_UP_PAGE = 1_000;
/**
 * Events read per statement when following others' commits on NOTIFY: smaller pages, each applied
 * and published while the next is read, so the first events of a large commit reach this server's
 * watchers without waiting for the whole commit to be read and applied.
 */
const FOLLOW_PAGE = 100;

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
  /** The pool's connections that have the ship statements and the changes read prepared (a connection that failed is closed, and forgotten with it). */
  const prepared = new WeakSet<pg.PoolClient>();
  /** The last write batch found commits of other servers under the lock (a new server assumes so). */
  let othersWriting = true;
  /** A catch-up was asked for without a head (the healing timer, a new listener): it reads whatever there is. */
  let headUnknown = false;
  /** A write batch has sent its first round trip and waits for the head row lock: it has not touched the replica yet. */
  let lockWait = false;
  /** The catch-up running beside a batch that waits for the lock (catchUpAside). */
  let aside: Promise<void> | undefined;
  /** Set once the replica has missed compacted events: writes are refused until it is copied afresh (resume). */
  let stale: KubeqlError | undefined;
  /**
   * While a write batch holds the head row lock, the runs of others' commits it applied, in order,
   * not yet published (undefined otherwise): publishing runs the watch engine's work for them,
   * which must not lengthen the lock's hold (every server's writes wait for it).
   */
  let held: Array<[number, StoredEvent[]]> | undefined;

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
   * `first`, when given, is the first page, already read (with the head row lock, in the batch's
   * first round trip). The log has no gaps above the floors, so a missing revision means compaction
   * removed events this replica never read (it fell that far behind): it can no longer follow the
   * log, and says so. `limit` is the page size (`first`'s too). While a full page is applied, the
   * next is read already: PostgreSQL's work and the transfer overlap this server's.
   */
  async function catchUp(client: pg.ClientBase | pg.Pool, head?: number, first?: ReplicaChanges, limit = CATCH_UP_PAGE): Promise<void> {
    if (stale) throw stale;
    let next: Promise<ReplicaChanges> | undefined;
    for (let page = first; ; page = undefined) {
      const changes = page ?? (await (next ?? readChangesAfter(client, counter.head, limit)));
      next = undefined;
      const rows = changes.events;
      if (rows.length === 0) break;
      if (rows[0].revision !== counter.head + 1) throw fellBehind(rows[0].revision - 1);
      const full = rows.length >= limit;
      if (full) {
        next = readChangesAfter(client, rows[rows.length - 1].revision, limit);
        // Awaited on the next turn of the loop; when this page fails to apply, its failure is that one's.
        next.catch(() => {});
      }
      applyPage(changes);
      if (!full) break;
    }
    if (head !== undefined && head > counter.head) throw fellBehind(head);
  }

  /** Applies a page of changes that begins right after the replica's head, and publishes its events. */
  function applyPage(changes: ReplicaChanges): void {
    const rows = changes.events;
    replica.applyChanges(counter.head, changes);
    counter.head = rows[rows.length - 1].revision;
    // Other servers' clocks may be ahead: the next event here is not timed before theirs (write-transaction.ts).
    counter.ts = Math.max(counter.ts, rows[rows.length - 1].ts);
    const events = rows.map((row: EventRow) => toStoredEvent(row));
    if (held) held.push([counter.head, events]);
    else publish(counter.head, events);
  }

  /** Publishes the runs applied under the head row lock (held), in order, and stops holding them back. */
  function publishHeld(): void {
    const runs = held;
    held = undefined;
    for (const [head, events] of runs ?? []) publish(head, events);
  }

  /**
   * While this server's batch waits for the head row lock (other servers hold it in turn), the
   * commits they announce are read and applied here, outside the serial queue: the batch has not
   * touched the replica yet, and would otherwise read them only once it holds the lock. So their
   * watchers here are not kept waiting for this server's turn, and the lock is not held while this
   * server applies them. A page is dropped when the batch got the lock before it arrived (the batch
   * reads under the lock from where the replica is); a gap is left to the batch to judge (fellBehind).
   */
  function catchUpAside(): void {
    if (aside || stale) return;
    aside = (async () => {
      try {
        while (lockWait && knownHead > counter.head) {
          const from = counter.head;
          const changes = await readChangesAfter(pool, from, CATCH_UP_PAGE);
          const rows = changes.events;
          if (!lockWait || counter.head !== from || rows.length === 0 || rows[0].revision !== from + 1) return;
          applyPage(changes);
        }
      } catch {
        // The batch, or the next catch-up, reads these commits again.
      } finally {
        aside = undefined;
      }
    })();
  }

  function fellBehind(through: number): KubeqlError {
    stale = new KubeqlError(
      'UNAVAILABLE',
      `this API server's replica of the log is at revision ${counter.head}, and revisions through ${through} have been compacted away before it read them: it is copying the database afresh; other servers take writes meanwhile`,
      { retryable: true },
    );
    return stale;
  }

  /**
   * Two round trips to PostgreSQL per batch: the first begins (its reads on the indexes,
   * INDEXED_READS), takes the head row lock and reads what other servers committed since this
   * replica's head (while they write: see readChanges); the second ships the batch's rows,
   * moves the head, notifies and commits (ship-batch.ts). The lock is held from the first to the
   * end of the second, so what is decided locally in between is decided at the true head.
   * The batch is the writes waiting once the lock is held, not when the task began: while other
   * servers hold the lock, the writes arriving meanwhile join this batch instead of waiting a
   * whole lock turn more (under contention a batch grows with the queue).
   */
  async function runBatch(): Promise<void> {
    const started = performance.now();
    let batch: Job[] | undefined;
    const take = (): Job[] => {
      if (!batch) {
        batch = waiting;
        waiting = [];
      }
      return batch;
    };
    let client: pg.PoolClient | undefined;
    let before = counter.head;
    let touched: ObjectKeyRow[] = [];
    let local = false;
    let commitSent = false;
    try {
      client = await pool.connect();
      const after = counter.head;
      // The changes read rides along only while others write: alone, it finds nothing, and its
      // planning (about 0.5 ms of PostgreSQL's CPU, a statement of four subqueries) was most of the
      // first round trip's work. A batch that finds the head moved without it reads them next.
      const readChanges = othersWriting || knownHead > counter.head;
      let results: pg.QueryResult[];
      lockWait = true;
      try {
        const changes = readChanges ? ` ${changesExecute(after, CATCH_UP_PAGE)}` : '';
        // A connection's first batch prepares the statements it reads and ships with (ship-batch.ts).
        const prepare = prepared.has(client) ? '' : `${[...SHIP_PREPARE, CHANGES_PREPARE].join('; ')}; `;
        results = (await client.query(`${prepare}BEGIN; ${INDEXED_READS}; SELECT head FROM log_head WHERE id = 1 FOR UPDATE;${changes}`)) as unknown as pg.QueryResult[];
        prepared.add(client);
      } finally {
        lockWait = false;
      }
      const [locked, read] = results.slice(readChanges ? -2 : -1);
      const head = (locked.rows[0] as { head: number }).head;
      othersWriting = head !== after;
      held = [];
      // Commits applied beside the wait (catchUpAside) are cut from the page read under the lock; a
      // full page is read again from where the replica is (what lies past it is unknown).
      let first: ReplicaChanges | undefined = read ? toChanges(read.rows[0]) : undefined;
      if (first && counter.head !== after) first = first.events.length < CATCH_UP_PAGE ? changesAfter(first, counter.head) : undefined;
      if (head !== counter.head) await catchUp(client, head, first);
      if (head !== counter.head) throw new Error(`the replica is at revision ${counter.head}, the log at ${head}`);
      before = counter.head;
      const batch = take();
      try {
        runLocally.immediate(batch);
      } catch (error) {
        // The replica's transaction failed as a whole: nothing of the batch was written anywhere.
        publishHeld();
        await client.query('ROLLBACK');
        client.release();
        client = undefined;
        for (const job of batch) job.outcome = { ok: false, error };
        return;
      }
      local = true;
      const events = batch.flatMap((job) => job.events);
      touched = keysOf(events);
      const ship = events.length ? shipBatchSql(before, touched, replica.rowsAbove(before, touched)) : [];
      if (events.length) ship.push(`UPDATE log_head SET head = ${counter.head} WHERE id = 1`, `SELECT pg_notify('${LOG_CHANNEL}', '${counter.head}')`);
      ship.push('COMMIT');
      commitSent = true;
      try {
        const shipped = client.query(ship.join(';\n'));
        // Others' commits applied under the lock reach this server's watchers while PostgreSQL
        // works on the batch, not before it is sent: the batch's own events follow them, after COMMIT.
        publishHeld();
        await shipped;
      } catch (error) {
        // PostgreSQL answered the statement that failed with an ERROR: the statements after it,
        // COMMIT among them, were skipped (or COMMIT itself failed and rolled back): nothing landed.
        if (error instanceof pg.DatabaseError && error.severity === 'ERROR') commitSent = false;
        throw error;
      }
      client.release();
      client = undefined;
    } catch (error) {
      publishHeld();
      if (client) {
        if (!commitSent) await client.query('ROLLBACK').catch(() => {});
        client.release(true);
      }
      // Only the batch's own rows are undone: commits of others it applied stay (they are published).
      if (local) {
        if (counter.head > before) replica.rewind(before, touched);
        counter.head = before;
      }
      // The replica's own refusal (it fell behind a compaction) says what to do; PostgreSQL's failures are wrapped.
      const answer = error instanceof KubeqlError && !commitSent ? error : unavailable(error, commitSent);
      for (const job of take()) job.outcome = { ok: false, error: answer };
      return;
    } finally {
      onBatch?.(take().length, performance.now() - started);
      settle(take());
    }
    const events = take().flatMap((job) => (job.outcome?.ok ? job.events : []));
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
          // An earlier batch took these writes while it waited for the lock.
          if (waiting.length) await runBatch();
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
      else headUnknown = true;
      if (lockWait) catchUpAside();
      if (catchUpScheduled) return Promise.resolve();
      catchUpScheduled = true;
      return queue.run(async () => {
        catchUpScheduled = false;
        // Every wake-up named a head this replica has reached meanwhile (a write batch read those
        // commits under the lock, mostly): a query would find nothing. Under contention between
        // servers most NOTIFYs are such, and each read would hold up this server's next batch.
        const ask = headUnknown;
        headUnknown = false;
        if (!ask && knownHead <= counter.head) return;
        await catchUp(pool, knownHead > counter.head ? knownHead : undefined, undefined, FOLLOW_PAGE);
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

/**
 * The part of `changes` (a page read after some earlier revision) after revision `head`, which the
 * replica has reached meanwhile: its later events, the versions they open or close, and the
 * allocations of the objects they touch.
 */
export function changesAfter(changes: ReplicaChanges, head: number): ReplicaChanges {
  const events = changes.events.filter((e) => e.revision > head);
  const touched = new Set(events.map((e) => `${e.kind}\u0000${e.namespace}\u0000${e.name}`));
  const later = (row: { from_rev: number; to_rev: number | null }) => row.from_rev > head || (row.to_rev !== null && row.to_rev > head);
  return {
    events,
    objects: changes.objects.filter(later),
    labels: changes.labels.filter(later),
    allocations: changes.allocations.filter((a) => touched.has(`${a.kind}\u0000${a.namespace}\u0000${a.name}`)),
  };
}
