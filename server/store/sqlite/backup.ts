/**
 * Online backup: SQLite's backup API copies the database page by page into `file` while writers
 * go on (pages the same connection changes meanwhile are copied again), so the copy is one
 * consistent state: the one at the end of the copy. Returns that state's head revision.
 */
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { logBounds } from './log-bounds.js';
import type { BackupInfo } from '../records.js';

export async function backupDatabase(sqlite: Database.Database, file: string): Promise<BackupInfo> {
  await sqlite.backup(file);
  const copy = new Database(file, { fileMustExist: true });
  try {
    const { head, floor } = logBounds(copy);
    return { revision: head, floor, bytes: statSync(file).size };
  } finally {
    copy.close();
  }
}
