/**
 * Group commit: writes that arrive in the same tick share one IMMEDIATE transaction (one fsync),
 * each in a savepoint of its own, so each succeeds or fails alone. Revisions stay gap-free: a
 * job that fails gives its revisions back before the next job runs.
 *
 * With a `walSync` (KUBEQL_SYNC=DURABLE), COMMIT does not sync; the WAL is fdatasynced on the
 * threadpool, and a batch's writes are answered (and its events published to onCommit) only once a
 * sync that began after its COMMIT has completed, so acknowledged still means durable. While one
 * sync runs, the event loop goes on with requests, whose writes gather and commit as the next
 * batch once the sync is done (committing each tick's few writes at once cost more CPU per write). What is durable is always a prefix of the commits (a sync covers everything
 * written before it). A failed sync leaves the outcome of its batches unknown: they are answered
 * UNAVAILABLE (not retryable) and every later write is refused, as the log can no longer promise
 * durability; a restart recovers whatever the disk holds.
 *
 * A lone writer is synced on this thread: when the batch is one write, no sync is running, and the
 * last syncs each ended with no other write gathered, nothing can overlap the sync, and handing it
 * to the threadpool only adds the two threads' wake-ups to the write's latency (measured: 1 client
 * 1,111 writes/s through the threadpool, 1,338/s with SQLite's own sync in COMMIT). Every
 * PROBE_EVERY-th such batch still goes through the threadpool, to see whether writes gather again.
 */
import type Database from 'better-sqlite3';
import type { Allocation, KObject } from '../../resources/kind.js';
import { KubeqlError } from '../../errors.js';
import type { Statements } from './statements.js';
import type { WalSync } from './wal-sync.js';
import type { CommitGate } from './wal-checkpointer.js';
import { createWriteTx, type RevisionCounter } from './write-transaction.js';
import { createCurrentVersions, versionKey } from './current-versions.js';
import type { HealthCheck, StoredEvent, WriteTx } from '../types.js';

/**
 * Current versions kept for the write path (current-versions.ts): a Namespace per busy namespace
 * and the objects read or written lately (whose objects the watch engine's recent events mostly
 * hold anyway). At a full-size rollout, ~2,500 writes a second, that is about the last three seconds.
 */
const CURRENT_VERSIONS = 8192;
/** A lone write is synced on the event loop's thread after this many syncs in a row gathered no other write. */
const QUIET_SYNCS = 4;
/**
 * Of lone writes synced inline, one in this many goes through the threadpool again (a probe of the
 * load: a second writer is noticed within 32 writes, ~20 ms). Each probe costs its write the two
 * wake-ups; at 8, a single client ran 3-4% slower than at 32, and two clients alike (±2%).
 */
const PROBE_EVERY = 32;

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
  walSync?: WalSync,
  gate?: CommitGate,
) {
  const translate = faults ? (error: unknown) => faults.translate(error) : (error: unknown) => error;
  let queue: Job[] = [];
  let scheduled = false;
  let drained: Array<() => void> = [];
  /** Committed batches waiting for a WAL sync that began after their COMMIT (walSync only). */
  let unsynced: { batch: Job[]; head: number; before: number }[] = [];
  let syncing = false;
  let syncFailure: KubeqlError | undefined;
  /** Syncs in a row that ended with no write gathered meanwhile (a lone writer). */
  let quietSyncs = 0;
  /** Lone writes synced since the last probe through the threadpool. */
  let inlineSyncs = 0;

  /** The head of the last batch that committed: revisions up to it are in the database for good. */
  let committedHead = counter.head;
  const versions = createCurrentVersions(CURRENT_VERSIONS, () => committedHead);
  const inSavepoint = sqlite.transaction((job: Job) => job.fn(createWriteTx(st, counter, allocationsOf, job.events, versions)));
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
    // The WAL checkpointer copies its last frames: the batch waits (still scheduled, so drain waits too).
    if (gate?.paused()) return gate.whenResumed(flush);
    scheduled = false;
    const batch = queue;
    queue = [];
    if (syncFailure) {
      for (const job of batch) job.reject(syncFailure);
      wakeDrained();
      return;
    }
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
    committedHead = counter.head;
    // What the batch wrote is now the current version of each object it wrote: the next write that
    // reads one (a bind after a create, a renewal after a renewal) needs no query or parse.
    for (const job of batch)
      for (const e of job.events) if (e.type !== 'DELETED') versions.keep(versionKey(e.kind, e.namespace, e.name), { object: e.object, revision: e.revision });
    onBatch?.(batch.length, performance.now() - started);
    gate?.afterCommit();
    if (walSync) {
      if (batch.length === 1 && !syncing && unsynced.length === 0 && queue.length === 0 && quietSyncs >= QUIET_SYNCS && ++inlineSyncs % PROBE_EVERY !== 0) {
        try {
          walSync.syncNow();
        } catch (error) {
          syncFailed(error, [batch]);
          wakeDrained();
          return;
        }
        settle(batch, before, counter.head);
        wakeDrained();
        return;
      }
      unsynced.push({ batch, head: counter.head, before });
      if (!syncing) startSync(walSync);
      return;
    }
    settle(batch, before, counter.head);
    wakeDrained();
  }

  /** Answers a durable batch's jobs and publishes its events. */
  function settle(batch: Job[], before: number, head: number): void {
    faults?.committed();
    for (const job of batch) {
      const outcome = job.outcome!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    }
    if (head !== before) committed(head, batch.flatMap((job) => job.events));
  }

  function startSync(ws: WalSync): void {
    syncing = true;
    const covered = unsynced;
    unsynced = [];
    ws.sync().then(
      () => {
        // This sync's writes are answered first; the writes that gathered meanwhile commit on the
        // next turn of the event loop, with those that arrive in this turn's I/O. Committing them
        // here, in the sync's callback, before the loop had read the requests waiting on their
        // sockets, made smaller batches: at 16 clients 6.6 writes a commit against 8.0, and 4-5%
        // more of this thread's CPU per write, which bounds the write rate. Readers and watchers
        // see only what is synced: the head they read at is the one settle publishes.
        quietSyncs = queue.length === 0 ? quietSyncs + 1 : 0;
        for (const { batch, before, head } of covered) settle(batch, before, head);
        next(ws);
      },
      (error: unknown) => {
        // Batches committed meanwhile too: after a failed fdatasync, a later one that succeeds does not
        // prove the earlier pages reached the disk (the kernel may have dropped them).
        syncFailed(error, [...covered, ...unsynced].map((entry) => entry.batch));
        unsynced = [];
        next(ws);
      },
    );
  }

  /** A WAL sync failed: these batches' outcome is unknown, and every later write is refused. */
  function syncFailed(error: unknown, batches: Job[][]): void {
    const code = (error as { code?: unknown }).code;
    syncFailure ??= new KubeqlError(
      'UNAVAILABLE',
      `the log's write-ahead file could not be synced to disk (${typeof code === 'string' ? code : (error as Error).message}): the outcome of writes since the last sync is unknown, and the log refuses writes until the server restarts`,
      { retryable: false },
    );
    for (const batch of batches) for (const job of batch) job.reject(syncFailure);
  }

  function next(ws: WalSync): void {
    syncing = false;
    if (unsynced.length) startSync(ws);
    else if (queue.length && !scheduled) schedule();
    else wakeDrained();
  }

  function schedule(): void {
    scheduled = true;
    setImmediate(flush);
  }

  function wakeDrained(): void {
    if (scheduled || syncing || drained.length === 0) return;
    const waiters = drained;
    drained = [];
    for (const wake of waiters) wake();
  }

  return {
    /** The current versions writes read lately (current-versions.ts); cleared when the tables are rebuilt. */
    versions,
    write<T>(fn: (tx: WriteTx) => T): Promise<T> {
      if (syncFailure) return Promise.reject(syncFailure);
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (v: unknown) => void, reject, events: [] });
        // While a WAL sync runs, writes gather (the event loop parses, validates and answers
        // meanwhile); they commit as one batch when it completes: fewer, larger transactions.
        if (!scheduled && !syncing) schedule();
      });
    },
    /** Readiness: failing once a WAL sync has failed (writes are refused until a restart). */
    syncCheck(): HealthCheck {
      return syncFailure ? { name: 'log-sync', ok: false, message: syncFailure.message } : { name: 'log-sync', ok: true };
    },
    /** Resolves once nothing is queued: every write queued so far is committed (and synced) or has failed. */
    async drain(): Promise<void> {
      // Again after each wake: a write's continuation may have queued the next one.
      while (scheduled || syncing) await new Promise<void>((resolve) => drained.push(resolve));
    },
  };
}
