/**
 * Replay: rebuilds the projections from the snapshot and the log, with the live path's own
 * projectEvent. The snapshot is the projections at the compaction floor (compaction keeps every
 * row alive there): those rows are copied as current, then every event after the floor is
 * projected in order, so replay equals the live tables after compaction too. The source is read
 * inside one read transaction (one consistent snapshot, while the server keeps writing).
 * replayInto runs on one thread; parallel-replay.ts splits the same work over two.
 */
import type Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { KubeqlError } from '../../errors.js';
import type { Allocation, KObject } from '../../resources/kind.js';
import { readKindFloors } from './compact.js';
import { logBounds } from './log-bounds.js';
import { projectEvent, type ProjectionStatements } from '../project-event.js';
import { projectionPlans, recordingProjectionStatements, type StatementPlan } from './raw-statements.js';
import { createExecutor, executorSpec, type ExecutorSpec } from './replay-sql.js';
import { prepareStatements } from './statements.js';
import type { EventType } from '../types.js';
import type { AllocationsOf, ReplayStats } from '../records.js';

/** Indexes replay's statements look rows up by; the target's other secondary indexes are dropped (the digest and the copy do not need them). */
const LOOKUP_INDEXES = new Set(['objects_current', 'allocations_owner']);
const COMMIT_EVERY = 50_000;
const BATCH_EVENTS = 2_000;

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
 * Copies the rows of `table` alive at `floor` into `target`, as current (to_rev NULL); a kind
 * compacted above the floor (its own floor in `kindFloors`) is copied as it was at its own floor.
 */
function copySnapshotRows(source: Database.Database, target: Database.Database, table: 'objects' | 'labels', floor: number, kindFloors: Map<string, number>, each?: (row: Record<string, unknown>) => void): number {
  const columns = (source.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name);
  const list = columns.map((c) => `"${c}"`).join(', ');
  const insert = target.prepare(`INSERT INTO ${table} (${list}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
  let n = 0;
  const copy = (rows: IterableIterator<unknown>) => {
    for (const row of rows) {
      const r = row as Record<string, unknown>;
      insert.run({ ...r, to_rev: null });
      each?.(r);
      n++;
    }
  };
  const own = [...kindFloors].filter(([, f]) => f > floor);
  // nothing is alive before the first revision
  if (floor > 0) {
    const others = own.length ? ` AND kind NOT IN (${own.map(() => '?').join(', ')})` : '';
    copy(source.prepare(`SELECT ${list} FROM ${table} WHERE from_rev <= ? AND (to_rev IS NULL OR to_rev > ?)${others}`).iterate(floor, floor, ...own.map(([k]) => k)));
  }
  for (const [kind, f] of own) copy(source.prepare(`SELECT ${list} FROM ${table} WHERE kind = ? AND from_rev <= ? AND (to_rev IS NULL OR to_rev > ?)`).iterate(kind, f, f));
  return n;
}

const keyOf = (kind: string, namespace: string, name: string) => `${kind}\u0000${namespace}\u0000${name}`;

/** A replay under way: the snapshot is in the target, the events after it are next. */
export interface ReplayStart {
  floor: number;
  revision: number;
  snapshotObjects: number;
  plans: StatementPlan[];
  spec: ExecutorSpec;
  /** Projects one log row ([revision, type, kind, namespace, name, uid, object]) with `st`. */
  project(st: ProjectionStatements, row: unknown[]): void;
  /** The log rows after the floor up to the revision, oldest first. */
  rows(): IterableIterator<unknown[]>;
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
  dropSecondaryIndexes(target);
  const plans = projectionPlans(prepareStatements(drizzle(target)));
  const spec = executorSpec(plans);
  const ops = { list: [] as unknown[] };
  const recorded = recordingProjectionStatements(plans, ops);
  // The current version of every object, as projectEvent's `previous`.
  const current = new Map<string, KObject>();
  const snapshotObjects = target.transaction(() => {
    const n = copySnapshotRows(source, target, 'objects', floor, kindFloors, (row) => {
      const object = JSON.parse(row.object as string) as KObject;
      const key = { kind: row.kind as string, namespace: row.namespace as string, name: row.name as string };
      current.set(keyOf(key.kind, key.namespace, key.name), object);
      for (const a of allocationsOf(object)) recorded.insertAllocation.run({ ...key, pool: a.pool, value: a.value });
    });
    copySnapshotRows(source, target, 'labels', floor, kindFloors);
    const executor = createExecutor(target, spec);
    executor.run(ops.list);
    executor.finish();
    return n;
  })();
  const read = source.prepare('SELECT revision, type, kind, namespace, name, uid, object FROM events WHERE revision > ? AND revision <= ? ORDER BY revision').raw(true);
  return {
    floor,
    revision,
    snapshotObjects,
    plans,
    spec,
    rows: () => read.iterate(floor, revision) as IterableIterator<unknown[]>,
    project(st, row) {
      const [rev, type, kind, namespace, name, uid, json] = row as [number, EventType, string, string, string, string, string];
      const object = JSON.parse(json) as KObject;
      const key = keyOf(kind, namespace, name);
      projectEvent(st, { revision: rev, type, kind, namespace, name, uid, object, json }, current.get(key), allocationsOf);
      if (type === 'DELETED') current.delete(key);
      else current.set(key, object);
    },
  };
}

/**
 * Projects `source`'s snapshot and log (up to `upTo`, default the head) into `target`, a fresh
 * database with the store's schema, on this thread. Call it inside a read snapshot of `source`.
 */
export function replayInto(source: Database.Database, target: Database.Database, allocationsOf: AllocationsOf, options: { upTo?: number } = {}): ReplayStats {
  const started = performance.now();
  const replay = startReplay(source, target, allocationsOf, options.upTo);
  const executor = createExecutor(target, replay.spec);
  const ops = { list: [] as unknown[] };
  const st = recordingProjectionStatements(replay.plans, ops);
  let events = 0;
  target.exec('BEGIN');
  try {
    for (const row of replay.rows()) {
      replay.project(st, row);
      if (++events % BATCH_EVENTS === 0) {
        executor.run(ops.list);
        ops.list = [];
      }
      if (events % COMMIT_EVERY === 0) {
        target.exec('COMMIT');
        target.exec('BEGIN');
      }
    }
    executor.run(ops.list);
    executor.finish();
    target.exec('COMMIT');
  } catch (error) {
    if (target.inTransaction) target.exec('ROLLBACK');
    throw error;
  }
  return { revision: replay.revision, floor: replay.floor, snapshotObjects: replay.snapshotObjects, events, ms: performance.now() - started };
}
