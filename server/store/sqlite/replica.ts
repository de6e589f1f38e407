/**
 * A local SQLite replica of a log held elsewhere (the PostgreSQL backend's, DESIGN.md §8): this
 * backend's own schema and statements, in a private folder named for this process (a crashed
 * server's is removed by the next one: replica-folders.ts). It serves every synchronous read and
 * runs the verbs; it is a cache, rebuilt from the database of record at each start, so it
 * is not synced to disk. It applies events committed elsewhere, hands out the rows a local batch
 * changed (to ship them), and rewinds a batch the database of record refused (rewind.ts).
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { AllocationsOf } from '../records.js';
import { openDatabase } from './open-database.js';
import { HEAD_KEY } from './log-head.js';
import { newReplicaFolder } from './replica-folders.js';
import { createRewind } from './rewind.js';
import { prepareStatements, type Statements } from './statements.js';
import type { events } from './tables.js';

/** A log row as both databases hold it (the object as its JSON text): the events table's row. */
export type EventRow = typeof events.$inferSelect;

/** An object's key, as the tables spell it. */
export interface ObjectKeyRow {
  kind: string;
  namespace: string;
  name: string;
}

/** The rows a batch wrote above a revision, as the tables hold them (column names as in SQL). */
export interface ChangedRows {
  events: Array<Record<string, unknown>>;
  /** Versions of the touched objects opened or closed above the revision. */
  objects: Array<Record<string, unknown> & { from_rev: number }>;
  labels: Array<Record<string, unknown> & { from_rev: number }>;
  /** The touched objects' allocations now. */
  allocations: Array<Record<string, unknown>>;
}

/**
 * Rows committed elsewhere after a revision, as the database of record holds them (read-changes.ts):
 * the log rows in order, the versions they opened (without their object: it is the opening event's)
 * or closed, and the touched objects' allocations. Column names as in SQL.
 */
export interface ReplicaChanges {
  events: EventRow[];
  objects: Array<{ kind: string; namespace: string; name: string; from_rev: number; to_rev: number | null; uid?: string; node_name?: string | null; phase?: string | null; controller_uid?: string | null }>;
  labels: Array<{ kind: string; namespace: string; name: string; key: string; value: string; from_rev: number; to_rev: number | null }>;
  allocations: Array<{ pool: string; value: string; kind: string; namespace: string; name: string }>;
}

export interface Replica {
  sqlite: Database.Database;
  db: BetterSQLite3Database;
  st: Statements;
  /**
   * Copies rows committed in PostgreSQL after `after` (changes.events begins at after + 1), in one
   * transaction: the rows exist already, so nothing is parsed, validated or projected again.
   */
  applyChanges(after: number, changes: ReplicaChanges): void;
  /** Sets the revision the next local append follows (the log's head, also when its newest events were compacted away). */
  setHead(head: number): void;
  /** What the batch above `revision` wrote for the objects `touched`. */
  rowsAbove(revision: number, touched: readonly ObjectKeyRow[]): ChangedRows;
  /** Undoes everything above `revision` (rewind.ts). */
  rewind(revision: number, touched: readonly ObjectKeyRow[]): void;
  /** Removes the file. */
  dispose(): void;
}

/** `verbose`, when given, is called with every statement the replica runs (statementCount). */
export function openReplica(allocationsOf: AllocationsOf, dir: string = tmpdir(), verbose?: (sql: unknown) => void): Replica {
  // Named for this process, so a crashed server's copy is removed by the next one (replica-folders.ts).
  const folder = newReplicaFolder(dir);
  const { sqlite, db } = openDatabase(folder, 'NORMAL', verbose);
  // A cache of PostgreSQL: a crash loses nothing the next start does not copy again.
  sqlite.pragma('synchronous = OFF');
  const st = prepareStatements(db, sqlite);
  // The head given, when the log's newest events were compacted away (log-head.ts).
  const writeHead = sqlite.prepare(`INSERT INTO store_meta (key, value) VALUES ('${HEAD_KEY}', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
  const copyEvent = sqlite.prepare(
    'INSERT INTO events (revision, ts, actor, verb, type, kind, namespace, name, uid, prev_revision, object, request_id) VALUES (@revision, @ts, @actor, @verb, @type, @kind, @namespace, @name, @uid, @prevRevision, @object, @requestId)',
  );
  const closeVersion = sqlite.prepare('UPDATE objects SET to_rev = @to_rev WHERE kind = @kind AND namespace = @namespace AND name = @name AND from_rev = @from_rev');
  const openVersion = sqlite.prepare(
    'INSERT INTO objects (kind, namespace, name, from_rev, to_rev, uid, node_name, phase, controller_uid, object) VALUES (@kind, @namespace, @name, @from_rev, @to_rev, @uid, @node_name, @phase, @controller_uid, @object)',
  );
  const closeLabel = sqlite.prepare('UPDATE labels SET to_rev = @to_rev WHERE kind = @kind AND namespace = @namespace AND name = @name AND key = @key AND from_rev = @from_rev');
  const openLabel = sqlite.prepare('INSERT INTO labels (kind, namespace, name, key, value, from_rev, to_rev) VALUES (@kind, @namespace, @name, @key, @value, @from_rev, @to_rev)');
  const freeAllocations = sqlite.prepare('DELETE FROM allocations WHERE kind = ? AND namespace = ? AND name = ?');
  const allocate = sqlite.prepare('INSERT INTO allocations (pool, value, kind, namespace, name) VALUES (@pool, @value, @kind, @namespace, @name)');
  const copy = sqlite.transaction((after: number, changes: ReplicaChanges) => {
    const copied = new Set<number>();
    for (const row of changes.events) {
      copyEvent.run(row);
      copied.add(row.revision);
    }
    // Ends first, then new versions: one current version per object at every step (objects_current).
    for (const row of changes.objects) if (row.from_rev <= after) closeVersion.run(row);
    for (const row of changes.labels) if (row.from_rev <= after) closeLabel.run(row);
    for (const row of changes.objects) {
      if (row.from_rev <= after) continue;
      if (!copied.has(row.from_rev)) throw new Error(`the version of ${row.kind} ${row.namespace}/${row.name} at ${row.from_rev} has no event in the changes after ${after}`);
      // Its body is that event's object, stored there only (version-body.ts).
      openVersion.run({ ...row, object: null });
    }
    for (const row of changes.labels) if (row.from_rev > after) openLabel.run(row);
    // Allocations follow the current objects: the touched objects' are replaced whole.
    const touched = new Set<string>();
    for (const { kind, namespace, name } of changes.events) {
      const key = `${kind}\u0000${namespace}\u0000${name}`;
      if (touched.has(key)) continue;
      touched.add(key);
      freeAllocations.run(kind, namespace, name);
    }
    for (const row of changes.allocations) allocate.run(row);
  });
  const eventsAbove = sqlite.prepare('SELECT * FROM events WHERE revision > ? ORDER BY revision');
  const objectRows = sqlite.prepare('SELECT * FROM objects WHERE kind = ? AND namespace = ? AND name = ? AND (from_rev > ? OR to_rev > ?)');
  const labelRows = sqlite.prepare('SELECT * FROM labels WHERE kind = ? AND namespace = ? AND name = ? AND (from_rev > ? OR to_rev > ?)');
  const allocationRows = sqlite.prepare('SELECT * FROM allocations WHERE kind = ? AND namespace = ? AND name = ?');
  const rewind = createRewind(sqlite, st, allocationsOf);
  return {
    sqlite,
    db,
    st,
    rowsAbove(revision, touched) {
      const rows: ChangedRows = { events: eventsAbove.all(revision) as ChangedRows['events'], objects: [], labels: [], allocations: [] };
      for (const { kind, namespace, name } of touched) {
        rows.objects.push(...(objectRows.all(kind, namespace, name, revision, revision) as ChangedRows['objects']));
        rows.labels.push(...(labelRows.all(kind, namespace, name, revision, revision) as ChangedRows['labels']));
        rows.allocations.push(...(allocationRows.all(kind, namespace, name) as ChangedRows['allocations']));
      }
      return rows;
    },
    rewind: (revision, touched) => void rewind(revision, touched),
    applyChanges: (after, changes) => void copy.immediate(after, changes),
    setHead(head) {
      if (head !== st.head.get()) writeHead.run(String(head));
    },
    dispose() {
      if (sqlite.open) sqlite.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
