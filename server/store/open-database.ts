/** Opens the SQLite file in WAL mode with the chosen durability and applies the drizzle-kit migrations. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { packagePath } from '../package-root.js';

const migrationsFolder = packagePath('migrations');

export interface OpenedDatabase {
  sqlite: Database.Database;
  db: BetterSQLite3Database;
}

/** `verbose`, when given, is called with every statement SQLite executes (better-sqlite3's hook). */
export function openDatabase(dataDir: string, synchronous: 'FULL' | 'NORMAL' = 'FULL', verbose?: (sql: unknown) => void): OpenedDatabase {
  mkdirSync(dataDir, { recursive: true });
  const sqlite = new Database(join(dataDir, 'kubeql.db'), verbose ? { verbose } : {});
  // Compaction's freed pages go back to the filesystem (reclaim.ts). auto_vacuum takes effect only
  // if set before the first table exists: new databases get it; older ones keep their mode.
  const fresh = (sqlite.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number }).n === 0;
  if (fresh) sqlite.pragma('auto_vacuum = INCREMENTAL');
  sqlite.pragma('journal_mode = WAL');
  // After a checkpoint resets the WAL, SQLite truncates the file to this size (64 MiB).
  sqlite.pragma('journal_size_limit = 67108864');
  sqlite.pragma(`synchronous = ${synchronous}`);
  sqlite.pragma('busy_timeout = 2000');
  sqlite.pragma('cache_size = -65536');
  // Each job of a group commit runs in a savepoint, whose undo journal spills to a temporary file
  // past 64 KiB (a dozen pages): kept in memory, it costs no system calls (writes' CPU -10-15%).
  sqlite.pragma('temp_store = MEMORY');
  const db = drizzle(sqlite);
  migrate(db, { migrationsFolder });
  return { sqlite, db };
}
