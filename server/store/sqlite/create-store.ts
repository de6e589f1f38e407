/** The store: the event log and its projections behind the narrow interface of types.ts. */
import { eq } from 'drizzle-orm';
import { KubeqlError } from '../../errors.js';
import { compactBelow, compactKindBelow, readKindFloors } from './compact.js';
import { backupDatabase } from './backup.js';
import { rebuildProjections } from './rebuild-projections.js';
import { reclaimSpace } from './reclaim.js';
import { verifyReplay } from './verify-replay.js';
import { tokenStore } from './tokens.js';
import { createGroupCommit } from './group-commit.js';
import { createWalSync, type WalSync } from './wal-sync.js';
import { startWalCheckpointer, type CheckpointStats } from './wal-checkpointer.js';
import { createStorageFaults } from './storage-fault.js';
import { checkHealth, shippedMigrations } from './health.js';
import { openDatabase } from './open-database.js';
import { prepareStatements } from './statements.js';
import { storeReads } from './reads.js';
import { readNewestTs } from './log-time.js';
import { storeMeta } from './tables.js';
import type { Store, StoreOptions, StoredEvent } from '../types.js';
import type { TokenStore } from '../records.js';

/**
 * Issuing and revoking a token are transactions of their own, outside the group commit. Under
 * DURABLE (COMMIT does not sync) each is followed by a sync of the WAL on this thread before it
 * returns: they are rare, and a revocation must not come back after a power loss.
 */
function durableTokens(tokens: TokenStore, walSync: WalSync | undefined): TokenStore {
  if (!walSync) return tokens;
  return {
    ...tokens,
    save(token) {
      tokens.save(token);
      walSync.syncNow();
    },
    revoke(tokenId, actor, at) {
      const done = tokens.revoke(tokenId, actor, at);
      walSync.syncNow();
      return done;
    },
  };
}

/** The SQLite store: the contract, and how its WAL checkpoints go (tests, diagnostics). */
export interface SqliteStore extends Store {
  checkpointStats(): CheckpointStats;
}

export function createStore(options: StoreOptions): SqliteStore {
  // With countStatements (tests), statementCount is every statement SQLite ran; nothing is counted otherwise.
  let executed = 0;
  const mode = options.synchronous ?? 'DURABLE';
  const { sqlite, db } = openDatabase(options.dataDir, mode === 'DURABLE' ? 'NORMAL' : mode, options.countStatements ? () => void executed++ : undefined);
  const walSync = mode === 'DURABLE' ? createWalSync(`${sqlite.name}-wal`) : undefined;
  // Checkpoints on a thread of their own, never inside a COMMIT on this one (wal-checkpointer.ts).
  // Should the thread fail, the connection checkpoints on commit again (SQLite's default), so the WAL stays bounded.
  const checkpointer = startWalCheckpointer(sqlite.name, {
    thresholdCommits: options.checkpointCommits,
    onFailure: () => {
      if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
    },
  });
  sqlite.pragma('wal_autocheckpoint = 0');
  const st = prepareStatements(db, sqlite);
  const counter = { head: st.head.get() as number, ts: readNewestTs(sqlite) };
  // The head readers see: the newest acknowledged (durable, published) revision. Under DURABLE,
  // batches committed but not yet synced are above it; a read "at the head" then reads at this
  // revision from the versioned tables, so no reader sees a write that is not yet acknowledged.
  let published = counter.head;
  const floorRow = db.select().from(storeMeta).where(eq(storeMeta.key, 'floor')).get();
  let floor = floorRow ? Number(floorRow.value) : 0;
  /** Kinds compacted above the log's floor (high-churn kinds: Lease, Event), each with its own floor. */
  const kindFloors = readKindFloors(sqlite);
  const floorOf = (kind: string) => Math.max(floor, kindFloors.get(kind) ?? 0);
  /** The floor below which the log has gaps: the highest of every floor. */
  const logFloor = () => Math.max(floor, ...kindFloors.values());
  const listeners = new Set<(head: number, events: readonly StoredEvent[]) => void>();
  const allocationsOf = options.allocationsOf ?? (() => []);
  const faults = createStorageFaults(options.dataDir);
  const { write, drain, syncCheck, versions } = createGroupCommit(
    sqlite,
    st,
    counter,
    allocationsOf,
    (head, events) => {
      published = head;
      checkpointer.committed();
      for (const listener of listeners) listener(head, events);
    },
    options.onBatch,
    faults,
    walSync,
    checkpointer,
  );
  const migrations = shippedMigrations();

  const reads = storeReads(sqlite, db, st, { published: () => published, written: () => counter.head, floor: () => floor, floorOf, logFloor });

  return {
    head: () => published,
    floor: () => floor,
    kindFloor: floorOf,
    logFloor,
    ...reads,
    write,
    tokens: durableTokens(tokenStore(db), walSync),
    compact(newFloor) {
      if (newFloor <= floor) return floor;
      if (newFloor > published)
        throw new KubeqlError('BAD_USER_INPUT', `cannot compact above the head of the log (${published})`, { field: 'floor' });
      compactBelow(sqlite, newFloor);
      floor = newFloor;
      return floor;
    },
    compactKind(kind, newFloor) {
      if (newFloor <= floorOf(kind)) return floorOf(kind);
      if (newFloor > published)
        throw new KubeqlError('BAD_USER_INPUT', `cannot compact above the head of the log (${published})`, { field: 'floor' });
      compactKindBelow(sqlite, kind, floorOf(kind), newFloor);
      kindFloors.set(kind, newFloor);
      // Space is given back by reclaim (retention's, once a pass): a truncating checkpoint after
      // every step of a kind's floor (every 2 s for Leases at 5,000 nodes) was 2.6% of the API
      // server's time, on its event loop.
      return newFloor;
    },
    reclaim() {
      reclaimSpace(sqlite);
    },
    replay: ({ verify }) =>
      verify
        ? verifyReplay(sqlite.name, allocationsOf)
        : write(() => {
            versions.clear();
            return rebuildProjections(sqlite, allocationsOf);
          }),
    backup: (file) => backupDatabase(sqlite, file),
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    statementCount: () => {
      if (!options.countStatements) throw new Error('statementCount needs a store opened with countStatements (a test instrument, off the hot path otherwise)');
      return executed;
    },
    checkpointStats: () => checkpointer.stats(),
    health: () => [...checkHealth(sqlite, migrations), faults.check(), ...(walSync ? [syncCheck()] : [])],
    drain,
    // The database is the log: a revision above its head was never acknowledged, nothing to wait for.
    reach: () => Promise.resolve(),
    close() {
      listeners.clear();
      checkpointer.close();
      walSync?.close();
      if (!sqlite.open) return;
      sqlite.pragma('wal_checkpoint(TRUNCATE)');
      sqlite.close();
    },
  };
}
