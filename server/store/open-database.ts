/** Opens the SQLite file in WAL mode with the chosen durability and applies the drizzle-kit migrations. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';

import { compareNumeric } from '../resources/selectors/label-selector.js';
import { fieldValue } from '../resources/selectors/field-values.js';
import type { KObject } from '../resources/kind.js';

/**
 * The selector evaluators of server/resources as SQL functions, so a list decides a label's `>`
 * or `<` and a field's value exactly as a watch does in memory (one meaning everywhere).
 */
function registerSelectorFunctions(sqlite: Database.Database): void {
  sqlite.function('kq_label_cmp', { deterministic: true }, (operator, value, bound) =>
    compareNumeric(operator === 'gt' ? 'gt' : 'lt', String(value), String(bound)) ? 1 : 0,
  );
  sqlite.function('kq_field', { deterministic: true }, (kind, object, field) => fieldValue(String(kind), JSON.parse(String(object)) as KObject, String(field)));
}

const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

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
  registerSelectorFunctions(sqlite);
  const db = drizzle(sqlite);
  migrate(db, { migrationsFolder });
  return { sqlite, db };
}
