/**
 * Replay: rebuilds the projections from the snapshot and the log, with the live path's own
 * projectEvent. The snapshot is the projections at the compaction floor (compaction keeps every
 * row alive there): those rows are copied as current, then every event after the floor is
 * projected in order, so replay equals the live tables after compaction too. The source is read
 * inside one read transaction (one consistent snapshot, while the server keeps writing).
 * The SQL is replay's own (replay-sql.cjs); replay-projector.ts records what projectEvent decides.
 * replayInto runs on one thread; parallel-replay.ts splits the same work over two.
 */
import type Database from 'better-sqlite3';
import { KubeqlError } from '../../errors.js';
import type { KObject } from '../../resources/kind.js';
import { readKindFloors } from './compact.js';
import { logBounds } from './log-bounds.js';
import { createReplayProjector, READ_COLUMNS, READ_FIELDS, readObjectColumn, type ReplayProjector } from './replay-projector.js';
import { assertReplayColumns, createExecutor, OP, REPLAY_COLUMNS } from './replay-sql.js';
import { versionBodySql } from './version-body.js';
import type { AllocationsOf, ReplayStats } from '../records.js';

/** Indexes replay's statements look rows up by; the target's other secondary indexes are dropped (the digest and the copy do not need them). */
const LOOKUP_INDEXES = new Set(['objects_current', 'allocations_owner']);
/** Events per transaction of the target (journal off: a commit only hands pages to the OS). */
export const COMMIT_EVERY = 100_000;
/** Events per batch of recorded operations. */
export const BATCH_EVENTS = 2_000;

/** Runs `fn` inside one read transaction of `db` (or inside the transaction already open). */
export function inReadSnapshot<T>(db: Database.Database, fn: () => T): T {
  if (db.inTransaction) return fn();
  db.exec('BEGIN');
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get(); // takes the snapshot now
    return fn();
  } finally {
    if (db.inTransaction) db.exec('COMMIT');
  }
}

function dropSecondaryIndexes(target: Database.Database): void {
  const indexes = target
    .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('objects', 'labels', 'allocations')")
    .pluck()
    .all() as string[];
  for (const name of indexes) if (!LOOKUP_INDEXES.has(name)) target.exec(`DROP INDEX "${name}"`);
}

/**
 * Copies the rows of `table` alive at `floor` into `target` as current (to_rev NULL), through
 * replay's own insert; a kind compacted above the floor (its own floor in `kindFloors`) is copied
 * as it was at its own floor. `each` sees every row copied (replay's column order).
 */
function copySnapshotRows(source: Database.Database, target: Database.Database, table: 'objects' | 'labels', floor: number, kindFloors: Map<string, number>, each?: (row: unknown[]) => void): number {
  const columns = REPLAY_COLUMNS[table];
  // A version's body may be in its opening event still (version-body.ts): the copy holds it whole.
  const list = columns.map((c) => (table === 'objects' && c === 'object' ? versionBodySql('t') : `t."${c}"`)).join(', ');
  const toRev = columns.indexOf('to_rev');
  const executor = createExecutor(target);
  const op = table === 'objects' ? OP.insertObject : OP.insertLabel;
  let n = 0;
  const copy = (rows: IterableIterator<unknown>) => {
    let ops: unknown[] = [];
    for (const row of rows) {
      const r = row as unknown[];
      r[toRev] = null;
      ops.push(op, ...r);
      each?.(r);
      if (++n % BATCH_EVENTS === 0) {
        executor.run(ops);
        ops = [];
      }
    }
    executor.run(ops);
  };
  const own = [...kindFloors].filter(([, f]) => f > floor);
  // nothing is alive before the first revision
  if (floor > 0) {
    const others = own.length ? ` AND t.kind NOT IN (${own.map(() => '?').join(', ')})` : '';
    copy(source.prepare(`SELECT ${list} FROM ${table} t WHERE t.from_rev <= ? AND (t.to_rev IS NULL OR t.to_rev > ?)${others}`).raw(true).iterate(floor, floor, ...own.map(([k]) => k)));
  }
  for (const [kind, f] of own) copy(source.prepare(`SELECT ${list} FROM ${table} t WHERE t.kind = ? AND t.from_rev <= ? AND (t.to_rev IS NULL OR t.to_rev > ?)`).raw(true).iterate(kind, f, f));
  return n;
}

/** A replay under way: the snapshot is in the target, the events after it are next. */
export interface ReplayStart {
  floor: number;
  revision: number;
  snapshotObjects: number;
  /** Records what each event writes; its operations run on a replay-sql executor. */
  projector: ReplayProjector;
  /**
   * The log rows (as replay-projector.ts's READ_COLUMNS say) after the floor up to the revision,
   * oldest first, a page of up to BATCH_EVENTS at a time (one call into SQLite per page rather than
   * per row).
   */
  pages(): Generator<unknown[][]>;
}

/**
 * Checks the range, drops the target's secondary indexes, copies the snapshot at the floor into
 * `target` (one transaction) and returns what projects the rest. `source` must be in a read snapshot.
 */
export function startReplay(source: Database.Database, target: Database.Database, allocationsOf: AllocationsOf, upTo?: number): ReplayStart {
  const { floor, head } = logBounds(source);
  const kindFloors = readKindFloors(source);
  // A kind compacted above the floor can be rebuilt only from its own floor on.
  const oldest = Math.max(floor, ...kindFloors.values());
  const revision = upTo ?? head;
  if (revision < oldest || revision > head)
    throw new KubeqlError(revision < oldest ? 'EXPIRED' : 'BAD_USER_INPUT', `cannot replay to revision ${revision}: the log holds ${oldest} to ${head}`, { floor: oldest });
  // A schema replay's SQL was not written for fails here, not as a digest mismatch later.
  assertReplayColumns(source);
  assertReplayColumns(target);
  dropSecondaryIndexes(target);
  const projector = createReplayProjector(allocationsOf);
  const columns = REPLAY_COLUMNS.objects;
  const [kindAt, namespaceAt, nameAt, objectAt] = ['kind', 'namespace', 'name', 'object'].map((c) => columns.indexOf(c));
  const snapshotObjects = target.transaction(() => {
    const n = copySnapshotRows(source, target, 'objects', floor, kindFloors, (row) => {
      projector.addSnapshotObject(row[kindAt] as string, row[namespaceAt] as string, row[nameAt] as string, JSON.parse(row[objectAt] as string) as KObject);
    });
    copySnapshotRows(source, target, 'labels', floor, kindFloors);
    createExecutor(target).run(projector.take());
    return n;
  })();
  // Without the kinds that hold allocations, every object is parsed: the fields are not extracted.
  const fields = allocationsOf.kinds ? READ_FIELDS : 'NULL, NULL, NULL, NULL';
  const read = source.prepare(`SELECT ${READ_COLUMNS}, ${readObjectColumn(allocationsOf.kinds)}, ${fields} FROM events WHERE revision > ? AND revision <= ? ORDER BY revision LIMIT ?`).raw(true);
  function* pages(): Generator<unknown[][]> {
    for (let after = floor; after < revision; ) {
      const page = read.all(after, revision, BATCH_EVENTS) as unknown[][];
      if (page.length === 0) return;
      yield page;
      after = page[page.length - 1][0] as number;
    }
  }
  return { floor, revision, snapshotObjects, projector, pages };
}

/**
 * Projects `source`'s snapshot and log (up to `upTo`, default the head) into `target`, a fresh
 * database with the store's schema, on this thread. Call it inside a read snapshot of `source`.
 */
export function replayInto(source: Database.Database, target: Database.Database, allocationsOf: AllocationsOf, options: { upTo?: number } = {}): ReplayStats {
  const started = performance.now();
  const { floor, revision, snapshotObjects, projector, pages } = startReplay(source, target, allocationsOf, options.upTo);
  const executor = createExecutor(target);
  let events = 0;
  let uncommitted = 0;
  target.exec('BEGIN');
  try {
    for (const page of pages()) {
      for (const row of page) projector.project(row);
      executor.run(projector.take());
      events += page.length;
      if ((uncommitted += page.length) >= COMMIT_EVERY) {
        target.exec('COMMIT');
        target.exec('BEGIN');
        uncommitted = 0;
      }
    }
    projector.finish();
    executor.run(projector.take());
    target.exec('COMMIT');
  } catch (error) {
    if (target.inTransaction) target.exec('ROLLBACK');
    throw error;
  }
  return { revision, floor, snapshotObjects, events, ms: performance.now() - started };
}
