/**
 * The PostgreSQL backend (DESIGN.md §8): PostgreSQL holds the log of record and the same tables;
 * this server keeps a local SQLite replica of them (replica.ts), which serves every synchronous
 * read and runs the verbs. Writes are group-committed into PostgreSQL under the log's head row
 * lock (group-commit.ts); other servers' commits arrive by LISTEN/NOTIFY (listen.ts) and are
 * applied to the replica in order, through the same serial queue, then published to onCommit, so
 * every server's watch engine sees the log's one stream.
 */
import { KubeqlError } from '../../errors.js';
import { compactBelow, compactKindBelow, readKindFloors } from '../sqlite/compact.js';
import { storeReads } from '../sqlite/reads.js';
import { readNewestTs } from '../sqlite/log-time.js';
import type { HealthCheck, Store, StoreOptions, StoredEvent } from '../types.js';
import type { ReplayReport } from '../records.js';
import { createPool } from './connect.js';
import { createPostgresCommit, LOG_CHANNEL } from './group-commit.js';
import { listenToLog } from './listen.js';
import { appliedMigrations, migratePostgres, postgresMigrationsFolder } from './migrate.js';
import { migrationsCheck, shippedMigrations } from '../migrations-check.js';
import { openReplica } from '../sqlite/replica.js';
import { createSerialQueue } from './serial-queue.js';
import { copySnapshot } from './snapshot.js';
import { replicatedTokens, TOKENS_CHANNEL } from './tokens.js';
import { dumpDatabase } from './backup.js';
import { verifyPostgresReplay } from './verify-replay.js';
import { compactPostgres, FLOOR_CHANNEL, readFloors } from './compact.js';
import { reachRevision } from './reach-revision.js';
import { recopyReplica, swapIn } from './recopy.js';
import { REBUILT_CHANNEL, rebuildInPlace } from './rebuild-in-place.js';

/** How often the `migrations` readiness check reads the applied migrations again (ms). */
const MIGRATIONS_RECHECK_MS = 10_000;

export interface PostgresStoreOptions extends Omit<StoreOptions, 'dataDir' | 'synchronous'> {
  /** postgres://… (KUBEQL_DATABASE_URL). */
  url: string;
  /**
   * The directory of the replica's folder (default: the OS temporary directory; the API server
   * passes `<dataDir>/replicas`). Folders there of processes that are gone are removed at open.
   */
  replicaDir?: string;
  /** The healing timer of the listener (ms, default 1000). */
  healEveryMs?: number;
  /** How long a write waits for a lock in PostgreSQL before it fails UNAVAILABLE (default 10 s). */
  lockTimeoutMs?: number;
  /** How long a read at a revision the replica has not applied yet waits for it (ms, default 3000; see reach-revision.ts). */
  revisionWaitMs?: number;
  /** Reports a failure of background work (catch-up, credential write-through); default: ignored. */
  onError?: (error: unknown) => void;
}

/** A store on PostgreSQL: `close` starts the shutdown; `shutdown` also waits for its connections to end. */
export interface PostgresStore extends Store {
  shutdown(): Promise<void>;
  /** The local replica's SQLite file (a copy of the database's tables), for inspection by tests and operators; never write it. */
  readonly replicaFile: string;
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const allocationsOf = options.allocationsOf ?? (() => []);
  const onError = options.onError ?? (() => {});
  const pool = createPool(options.url, options.lockTimeoutMs ?? 10_000);
  const shipped = shippedMigrations(postgresMigrationsFolder);
  let applied: number;
  try {
    await migratePostgres(pool);
    applied = await appliedMigrations(pool);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  // With countStatements (tests), statementCount is every statement the replica ran: the reads' and the verbs' SQL.
  let executed = 0;
  const replica = openReplica(allocationsOf, options.replicaDir, options.countStatements ? () => void executed++ : undefined);
  const { sqlite, db, st } = replica;
  const queue = createSerialQueue();
  const listeners = new Set<(head: number, events: readonly StoredEvent[]) => void>();
  let published = 0;
  const counter = { head: 0, ts: 0 };
  let floor = 0;
  let kindFloors = new Map<string, number>();
  let lastError: Error | undefined;
  const report = (error: unknown) => {
    lastError = error as Error;
    onError(error);
    // Behind a compaction: the replica cannot follow event by event; it is copied afresh.
    if (commit.staleness()) recopy();
  };

  const commit = createPostgresCommit({
    pool,
    replica,
    queue,
    counter,
    allocationsOf,
    onBatch: options.onBatch,
    publish(head, events) {
      published = head;
      for (const listener of listeners) listener(head, events);
    },
  });
  // Listen before the snapshot: a commit between the two is caught up right after it.
  let ready = false;
  let credentials: ReturnType<typeof replicatedTokens> | undefined;
  const listener = await listenToLog({
    url: options.url,
    channels: [LOG_CHANNEL, TOKENS_CHANNEL, FLOOR_CHANNEL, REBUILT_CHANNEL],
    healEveryMs: options.healEveryMs,
    wake(channel, payload) {
      if (!ready) return;
      // A head this replica holds already (its own commit, mostly) needs no read.
      const known = channel === LOG_CHANNEL && payload !== undefined && Number(payload) <= counter.head;
      if ((channel === undefined || channel === LOG_CHANNEL) && !known)
        commit.catchUp(channel === LOG_CHANNEL && payload !== undefined ? Number(payload) : undefined).then(() => void (lastError = undefined), report);
      if (channel === undefined || channel === TOKENS_CHANNEL) queue.run(() => credentials!.pull()).catch(report);
      if (channel === undefined || channel === FLOOR_CHANNEL) queue.run(() => followFloors()).catch(report);
      if (channel === undefined) recountMigrations();
      // A server rebuilt the projections in place: every replica copies the database afresh.
      if (channel === REBUILT_CHANNEL) recopy();
    },
  });
  let snapshot: { head: number; credentialId: number };
  try {
    snapshot = await copySnapshot(pool, replica);
  } catch (error) {
    await listener.close();
    await pool.end();
    replica.dispose();
    throw error;
  }
  counter.head = published = snapshot.head;
  counter.ts = readNewestTs(replica.sqlite);
  readReplicaFloors();
  credentials = replicatedTokens(pool, replica, queue, snapshot.credentialId, report);
  ready = true;
  void commit.catchUp().catch(report);

  /**
   * The database's applied migrations, read again now and then (on the healing timer, at most every
   * MIGRATIONS_RECHECK_MS): a restore of an older backup under a running server shows up here. A
   * failed read keeps the last count: reaching PostgreSQL is log-replication's check.
   */
  let migrationsReadAt = Date.now();
  function recountMigrations(): void {
    if (Date.now() - migrationsReadAt < MIGRATIONS_RECHECK_MS) return;
    migrationsReadAt = Date.now();
    appliedMigrations(pool).then((n) => void (applied = n), () => {});
  }

  /** The replica's floors, as its store_meta holds them (after a copy of the database). */
  function readReplicaFloors(): void {
    floor = Number((sqlite.prepare(`SELECT value FROM store_meta WHERE key = 'floor'`).get() as { value: string } | undefined)?.value ?? 0);
    kindFloors = readKindFloors(sqlite);
  }

  let recopying = false;
  /**
   * The replica fell behind a compaction (group-commit.ts refuses writes meanwhile): it is copied
   * afresh (recopy.ts), in the serial queue so no batch or catch-up runs meanwhile, and follows the
   * log again. onCommit's listeners are told with the new head and no events: what lay between is
   * gone, so watchers below the new floor end EXPIRED. A failed copy is tried again on the next
   * catch-up (the healing timer's, at the latest).
   */
  function recopy(): void {
    if (recopying || !ready) return;
    recopying = true;
    queue
      .run(async () => {
        const head = await recopyReplica(pool, replica, allocationsOf, options.replicaDir);
        commit.resume();
        lastError = undefined;
        jumpedTo(head);
      })
      .catch((error: unknown) => {
        lastError = error as Error;
        onError(error);
      })
      .finally(() => (recopying = false));
  }

  /** The new head and state reached listeners with no events: they catch up by cursor, or end EXPIRED below the floor. */
  function jumpedTo(head: number): void {
    counter.head = published = head;
    counter.ts = readNewestTs(replica.sqlite);
    readReplicaFloors();
    for (const listener of listeners) listener(head, []);
  }

  /**
   * replay(verify: false): rebuilds PostgreSQL's projections from the log under the head row lock
   * (rebuild-in-place.ts), in the serial queue so this server's writes wait too; where they changed,
   * this replica takes the rebuilt tables at once, and the other servers copy afresh on the NOTIFY.
   */
  function rebuild(): Promise<ReplayReport> {
    return queue.run(async () => {
      const { report, copy, head } = await rebuildInPlace(pool, allocationsOf, options.replicaDir);
      try {
        if (!report.match) {
          swapIn(replica, copy, head);
          jumpedTo(head);
        }
      } finally {
        copy.dispose();
      }
      return report;
    });
  }

  const floorOf = (kind: string) => Math.max(floor, kindFloors.get(kind) ?? 0);
  const logFloor = () => Math.max(floor, ...kindFloors.values());

  /** Applies floors another server compacted to (learned by NOTIFY). */
  async function followFloors(): Promise<void> {
    const floors = await readFloors(pool);
    const newFloor = floors.get('') ?? 0;
    // Compacted above what this replica has read: the log has reached there, and the catch-up finds
    // out whether the replica can still read its way up (or fell behind the compaction).
    const highest = Math.max(0, ...floors.values());
    if (highest > counter.head) commit.catchUp(highest).catch(report);
    if (newFloor > floor && newFloor <= published) {
      compactBelow(sqlite, newFloor);
      floor = newFloor;
    }
    for (const [kind, f] of floors) {
      if (kind === '' || f <= floorOf(kind) || f > published) continue;
      compactKindBelow(sqlite, kind, floorOf(kind), f);
      kindFloors.set(kind, f);
    }
  }

  const reads = storeReads(sqlite, db, st, { published: () => published, written: () => counter.head, floor: () => floor, floorOf, logFloor });

  let shuttingDown: Promise<void> | undefined;
  /** The connections end once the queued work is done; the replica's file goes with them. */
  function shutdown(): Promise<void> {
    shuttingDown ??= (async () => {
      listeners.clear();
      ready = false;
      await queue.idle().catch(() => {});
      await listener.close();
      await pool.end().catch(() => {});
      replica.dispose();
    })();
    return shuttingDown;
  }

  function checkCompaction(newFloor: number): void {
    if (newFloor > published) throw new KubeqlError('BAD_USER_INPUT', `cannot compact above the head of the log (${published})`, { field: 'floor' });
  }

  function onCommit(listener: (head: number, events: readonly StoredEvent[]) => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  return {
    head: () => published,
    floor: () => floor,
    kindFloor: floorOf,
    logFloor,
    ...reads,
    write: commit.write,
    tokens: credentials.tokens,
    compact(newFloor) {
      if (newFloor <= floor) return floor;
      checkCompaction(newFloor);
      compactBelow(sqlite, newFloor);
      floor = newFloor;
      queue.run(() => compactPostgres(pool, undefined, newFloor)).catch(report);
      return floor;
    },
    compactKind(kind, newFloor) {
      if (newFloor <= floorOf(kind)) return floorOf(kind);
      checkCompaction(newFloor);
      compactKindBelow(sqlite, kind, floorOf(kind), newFloor);
      kindFloors.set(kind, newFloor);
      queue.run(() => compactPostgres(pool, kind, newFloor)).catch(report);
      return newFloor;
    },
    // PostgreSQL's autovacuum gives back what compaction freed; the replica's file is rebuilt when copied afresh.
    reclaim() {},
    replay: ({ verify }) => (verify ? verifyPostgresReplay(pool, allocationsOf, options.replicaDir) : rebuild()),
    backup: (file) => dumpDatabase(pool, options.url, file),
    onCommit,
    reach: (revision) =>
      reachRevision(revision, {
        head: () => published,
        logHead: async () => (await pool.query<{ head: number }>('SELECT head FROM log_head WHERE id = 1')).rows[0]?.head ?? 0,
        catchUp: (head) => void commit.catchUp(head).catch(report),
        onCommit,
        failure: commit.staleness,
        timeoutMs: options.revisionWaitMs ?? 3_000,
      }),
    statementCount: () => {
      if (!options.countStatements) throw new Error('statementCount needs a store opened with countStatements (a test instrument, off the hot path otherwise)');
      return executed;
    },
    health(): HealthCheck[] {
      const checks: HealthCheck[] = [{ name: 'database', ok: sqlite.open }, migrationsCheck(applied, shipped)];
      const failure = commit.staleness() ?? lastError;
      checks.push(failure ? { name: 'log-replication', ok: false, message: failure.message } : { name: 'log-replication', ok: true });
      return checks;
    },
    drain: () => queue.idle(),
    close() {
      void shutdown();
    },
    shutdown,
    replicaFile: sqlite.name,
  };
}
