/** Opens the SQLite file in WAL mode with the chosen durability and applies the drizzle-kit migrations. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';

const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

export interface OpenedDatabase {
  sqlite: Database.Database;
  db: BetterSQLite3Database;
}

/** `verbose`, when given, is called with every statement SQLite executes (better-sqlite3's hook). */
export function openDatabase(dataDir: string, synchronous: 'FULL' | 'NORMAL' = 'FULL', verbose?: (sql: unknown) => void): OpenedDatabase {
  mkdirSync(dataDir, { recursive: true });
  const sqlite = new Database(join(dataDir, 'kubeql.db'), verbose ? { verbose } : {});
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${synchronous}`);
  sqlite.pragma('busy_timeout = 2000');
  sqlite.pragma('cache_size = -65536');
  const db = drizzle(sqlite);
  migrate(db, { migrationsFolder });
  return { sqlite, db };
}
