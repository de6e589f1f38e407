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
import type { KObject } from '../../resources/kind.js';
import { projectEvent } from '../project-event.js';
import type { AllocationsOf } from '../records.js';
import { openDatabase } from './open-database.js';
import { newReplicaFolder } from './replica-folders.js';
import { createRewind } from './rewind.js';
import { prepareStatements, type Statements } from './statements.js';
import type { EventType } from '../types.js';

/** A log row as both databases hold it (the object as its JSON text). */
export interface EventRow {
  revision: number;
  ts: number;
  actor: string;
  verb: string;
  type: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  prevRevision: number | null;
  object: string;
  requestId: string | null;
}

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

export interface Replica {
  sqlite: Database.Database;
  db: BetterSQLite3Database;
  st: Statements;
  /** Applies events committed in PostgreSQL (by any server), in order, as replay does: log row and projections. */
  applyEvents(rows: readonly EventRow[]): void;
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
  const st = prepareStatements(db);
  // sqlite_sequence has no key on name: update the row, or add it when the log never had a row.
  const updateSequence = sqlite.prepare(`UPDATE sqlite_sequence SET seq = ? WHERE name = 'events'`);
  const insertSequence = sqlite.prepare(`INSERT INTO sqlite_sequence (name, seq) VALUES ('events', ?)`);
  const apply = sqlite.transaction((rows: readonly EventRow[]) => {
    for (const row of rows) {
      const { kind, namespace, name, revision } = row;
      const previous = st.currentObject.get({ kind, namespace, name });
      st.insertEvent.run({ ...row });
      projectEvent(
        st,
        { revision, type: row.type as EventType, kind, namespace, name, uid: row.uid, object: JSON.parse(row.object) as KObject, json: row.object },
        previous ? (JSON.parse(previous.object) as KObject) : undefined,
        allocationsOf,
      );
    }
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
    applyEvents: (rows) => void apply.immediate(rows),
    setHead(head) {
      const current = st.head.get()?.seq ?? 0;
      if (head !== current && updateSequence.run(head).changes === 0) insertSequence.run(head);
    },
    dispose() {
      if (sqlite.open) sqlite.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
