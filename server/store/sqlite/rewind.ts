/**
 * Undoes, in a replica (replica.ts), a batch the database of record did not take: log rows and versions above
 * `revision` go, versions they closed are current again, and the touched objects' allocations are
 * those of their current versions again (allocations are a function of the current object). The
 * replica is then exactly as it was at `revision`; a batch whose COMMIT outcome was unknown and did
 * land comes back through catch-up like any other server's commit.
 */
import type Database from 'better-sqlite3';
import type { KObject } from '../../resources/kind.js';
import type { AllocationsOf } from '../records.js';
import type { ObjectKeyRow } from './replica.js';
import type { Statements } from './statements.js';
import { HEAD_KEY } from './log-head.js';

export function createRewind(sqlite: Database.Database, st: Statements, allocationsOf: AllocationsOf) {
  const statements = [
    'DELETE FROM events WHERE revision > @revision',
    'DELETE FROM objects WHERE from_rev > @revision',
    'UPDATE objects SET to_rev = NULL WHERE to_rev > @revision',
    'DELETE FROM labels WHERE from_rev > @revision',
    'UPDATE labels SET to_rev = NULL WHERE to_rev > @revision',
    // The head is then `revision` (log-head.ts); a head set above it (never: it is set from the log of record) would outlive the rows.
    `UPDATE store_meta SET value = CAST(@revision AS TEXT) WHERE key = '${HEAD_KEY}' AND CAST(value AS INTEGER) > @revision`,
  ].map((text) => sqlite.prepare(text));
  const free = sqlite.prepare('DELETE FROM allocations WHERE kind = ? AND namespace = ? AND name = ?');
  const allocate = sqlite.prepare('INSERT INTO allocations (pool, value, kind, namespace, name) VALUES (?, ?, ?, ?, ?)');
  return sqlite.transaction((revision: number, touched: readonly ObjectKeyRow[]) => {
    for (const statement of statements) statement.run({ revision });
    for (const { kind, namespace, name } of touched) {
      free.run(kind, namespace, name);
      const row = st.currentObject.get({ kind, namespace, name });
      if (!row) continue;
      for (const a of allocationsOf(JSON.parse(row.object) as KObject)) allocate.run(a.pool, a.value, kind, namespace, name);
    }
  });
}
