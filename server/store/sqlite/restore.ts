/**
 * Restore, offline: a backup file (GET /admin/backup) becomes the database of an empty data
 * directory. The copy is checked before it takes the database's place: SQLite's quick_check, and
 * a replay whose digest must equal its own tables (so the restored digest is the digest of the
 * backup's revision).
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Allocation, KObject } from '../../resources/kind.js';
import { verifyReplay } from './verify-replay.js';
import type { ReplayReport } from '../records.js';

export async function restoreBackup(file: string, dataDir: string, allocationsOf: (o: KObject) => Allocation[]): Promise<ReplayReport> {
  if (!existsSync(file)) throw new Error(`no backup file at ${file}`);
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) throw new Error(`${dataDir} is not empty: restore only into an empty (or new) data directory`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const staging = join(dataDir, 'restoring.db');
  try {
    copyFileSync(file, staging);
    chmodSync(staging, 0o600);
    const db = new Database(staging, { fileMustExist: true });
    try {
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`${file} is damaged: ${String(check)}`);
      const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
      for (const t of ['events', 'objects', 'labels', 'allocations']) if (!tables.has(t)) throw new Error(`${file} is not a Kubeql database (no table ${t})`);
    } finally {
      db.close();
    }
    const report = await verifyReplay(staging, allocationsOf);
    if (!report.match) throw new Error(`the backup's tables differ from the replay of its log (${report.firstDifference ? JSON.stringify(report.firstDifference) : 'digests differ'})`);
    renameSync(staging, join(dataDir, 'kubeql.db'));
    return report;
  } catch (error) {
    for (const f of readdirSync(dataDir)) rmSync(join(dataDir, f), { force: true });
    throw error;
  }
}
