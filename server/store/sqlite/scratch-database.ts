/**
 * A throw-away database for replay: a temporary file with the store's schema (the same
 * migrations), tuned for one bulk writer (no journal, no fsync), removed by dispose().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { packagePath } from '../../package-root.js';
import { tuneScratch } from './replay-sql.js';

const migrationsFolder = packagePath('migrations');

export interface ScratchDatabase {
  readonly file: string;
  /** The open connection (reopened by open() after close()). */
  readonly sqlite: Database.Database;
  /** Closes the connection (a worker thread may then open the file). */
  close(): void;
  open(): Database.Database;
  dispose(): void;
}

function connect(file: string): Database.Database {
  const sqlite = new Database(file);
  tuneScratch(sqlite);
  return sqlite;
}

export function openScratchDatabase(dir: string = tmpdir()): ScratchDatabase {
  const folder = mkdtempSync(join(dir, 'kubeql-replay-'));
  const file = join(folder, 'replay.db');
  let sqlite = connect(file);
  // Bigger pages for a bulk writer of ~0.5 KiB rows (set before the first table exists).
  sqlite.pragma('page_size = 16384');
  migrate(drizzle(sqlite), { migrationsFolder });
  return {
    file,
    get sqlite() {
      return sqlite;
    },
    close() {
      if (sqlite.open) sqlite.close();
    },
    open() {
      if (!sqlite.open) sqlite = connect(file);
      return sqlite;
    },
    dispose() {
      if (sqlite.open) sqlite.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
