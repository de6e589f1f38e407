/**
 * Opens the SQLite file in WAL mode with the chosen durability and applies the drizzle-kit
 * migrations. The data directory is created 0700, the database and its WAL and shared-memory files
 * are 0600 (SQLite gives the WAL and shm files the database file's mode). A database that is
 * missing or empty beside an existing admin token (the cluster's log was lost), or that SQLite
 * finds damaged, is refused (DamagedDatabaseError) rather than served as an empty or broken cluster.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { packagePath } from '../../package-root.js';

import { fieldValue } from '../../resources/selectors/field-values.js';
import type { KObject } from '../../resources/kind.js';

/**
 * The field values of server/resources as an SQL function, so a list reads a field selector's
 * field exactly as a watch does in memory (one meaning everywhere; label requirements other than
 * the indexed one are matched in JavaScript by list-objects.ts, with the watch's matcher).
 */
function registerSelectorFunctions(sqlite: Database.Database): void {
  sqlite.function('kq_field', { deterministic: true }, (kind, object, field) => fieldValue(String(kind), JSON.parse(String(object)) as KObject, String(field)));
}

const migrationsFolder = packagePath('migrations');

export interface OpenedDatabase {
  sqlite: Database.Database;
  db: BetterSQLite3Database;
}

export class DamagedDatabaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DamagedDatabaseError';
  }
}

const DAMAGE_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_VTAB']);

/** Creates the data directory (0700) and the database file (0600) when missing; makes existing database files 0600. */
function prepareFiles(dataDir: string, file: string): void {
  if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}

/** `verbose`, when given, is called with every statement SQLite executes (better-sqlite3's hook). */
export function openDatabase(dataDir: string, synchronous: 'FULL' | 'NORMAL' = 'FULL', verbose?: (sql: unknown) => void): OpenedDatabase {
  const file = join(dataDir, 'kubeql.db');
  const empty = !existsSync(file) || statSync(file).size === 0;
  const token = join(dataDir, 'admin.token');
  if (empty && existsSync(token))
    throw new DamagedDatabaseError(
      `${file} is ${existsSync(file) ? 'empty' : 'missing'}, but ${token} exists: the cluster's log is lost or truncated. ` +
        `Refusing to start an empty cluster in its place: restore a backup (npm run restore -- FILE into an empty DATA_DIR), or remove ${token} to start a new cluster.`,
    );
  prepareFiles(dataDir, file);
  try {
    return openChecked(file, empty, synchronous, verbose);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (error instanceof DamagedDatabaseError || !code || !DAMAGE_CODES.has(code)) throw error;
    throw new DamagedDatabaseError(`${file} is damaged (${code}: ${(error as Error).message}); refusing to start. Restore a backup (npm run restore -- FILE into an empty DATA_DIR).`);
  }
}

function openChecked(file: string, empty: boolean, synchronous: 'FULL' | 'NORMAL', verbose?: (sql: unknown) => void): OpenedDatabase {
  const sqlite = new Database(file, verbose ? { verbose } : {});
  try {
    return configure(sqlite, empty, file, synchronous);
  } catch (error) {
    sqlite.close();
    throw error;
  }
}

function configure(sqlite: Database.Database, empty: boolean, file: string, synchronous: 'FULL' | 'NORMAL'): OpenedDatabase {
  if (!empty) {
    // Every page of the file, read once: damage found now, not by the request that reaches it.
    const check = sqlite.pragma('quick_check(5)', { simple: false }) as Array<{ quick_check: string }>;
    const problems = check.map((r) => r.quick_check).filter((r) => r !== 'ok');
    if (problems.length > 0) {
      throw new DamagedDatabaseError(`${file} is damaged (${problems.join('; ')}); refusing to start. Restore a backup (npm run restore -- FILE into an empty DATA_DIR).`);
    }
  }
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
  registerSelectorFunctions(sqlite);
  const db = drizzle(sqlite);
  migrate(db, { migrationsFolder });
  return { sqlite, db };
}
