/**
 * Restore of a PostgreSQL store, offline: a backup (backup.ts, pg_dump's custom format) is
 * pg_restored into an empty database, then checked as the SQLite restore checks its copy: the
 * replay of its log must equal its tables.
 */
import type { AllocationsOf, ReplayReport } from '../records.js';
import { createPool } from './connect.js';
import { pgProgram, runProgram } from './pg-tools.js';
import { verifyPostgresReplay } from './verify-replay.js';

export async function restorePostgres(file: string, url: string, allocationsOf: AllocationsOf): Promise<ReplayReport> {
  const pool = createPool(url, 10_000, 1);
  try {
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
    if (rows[0].n > 0) throw new Error('the database is not empty: restore only into an empty (new) database');
    await runProgram(pgProgram('pg_restore'), ['--exit-on-error', '--no-owner', `--dbname=${url}`, file]);
    const report = await verifyPostgresReplay(pool, allocationsOf);
    if (!report.match) throw new Error(`the backup's tables differ from the replay of its log (${report.firstDifference ? JSON.stringify(report.firstDifference) : 'digests differ'})`);
    return report;
  } finally {
    await pool.end();
  }
}
