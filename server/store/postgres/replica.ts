/**
 * The local SQLite replica an API server keeps of the PostgreSQL log: the SQLite backend's own
 * schema and statements, in a private temporary file. It serves every synchronous read and runs
 * the verbs; it is a cache, rebuilt from PostgreSQL at each start, so it is not synced to disk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { KObject } from '../../resources/kind.js';
import { projectEvent } from '../project-event.js';
import type { AllocationsOf } from '../records.js';
import { openDatabase } from '../sqlite/open-database.js';
import { prepareStatements, type Statements } from '../sqlite/statements.js';
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

export interface Replica {
  sqlite: Database.Database;
  db: BetterSQLite3Database;
  st: Statements;
  /** Applies events committed in PostgreSQL (by any server), in order, as replay does: log row and projections. */
  applyEvents(rows: readonly EventRow[]): void;
  /** Sets the revision the next local append follows (the log's head, also when its newest events were compacted away). */
  setHead(head: number): void;
  /** Removes the file. */
  dispose(): void;
}

export function openReplica(allocationsOf: AllocationsOf, dir: string = tmpdir()): Replica {
  const folder = mkdtempSync(join(dir, 'kubeql-replica-'));
  const { sqlite, db } = openDatabase(folder, 'NORMAL');
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
  return {
    sqlite,
    db,
    st,
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
