/**
 * Compaction: folds the log below a floor into the projections. Events at or below the floor go;
 * object and label versions that ended at or below it go; what was alive at the floor stays, so
 * the tables at the floor are the snapshot that replay starts from. Reads below the floor are EXPIRED.
 */
import type Database from 'better-sqlite3';

export function compactBelow(sqlite: Database.Database, floor: number): void {
  sqlite
    .transaction(() => {
      sqlite.prepare('DELETE FROM events WHERE revision <= ?').run(floor);
      sqlite.prepare('DELETE FROM objects WHERE to_rev <= ?').run(floor);
      sqlite.prepare('DELETE FROM labels WHERE to_rev <= ?').run(floor);
      sqlite.prepare(`INSERT INTO store_meta (key, value) VALUES ('floor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(String(floor));
    })
    .immediate();
}
