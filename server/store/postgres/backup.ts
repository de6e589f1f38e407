/**
 * Backup of the PostgreSQL store: pg_dump of the database (custom format, so pg_restore reads it),
 * taken from a snapshot this store exported, so the revision and floor reported are exactly the
 * dump's. Writers go on meanwhile. Restore (restore.ts) is pg_restore into an empty database.
 */
import { statSync } from 'node:fs';
import type pg from 'pg';
import type { BackupInfo } from '../records.js';
import { pgProgram, runProgram } from './pg-tools.js';

export async function dumpDatabase(pool: pg.Pool, url: string, file: string): Promise<BackupInfo> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await client.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0].id;
    const revision = (await client.query<{ head: number }>('SELECT head FROM log_head WHERE id = 1')).rows[0].head;
    const floorRow = (await client.query<{ value: string }>(`SELECT value FROM store_meta WHERE key = 'floor'`)).rows[0];
    // The exported snapshot lives while this transaction is open: pg_dump reads exactly it.
    await runProgram(pgProgram('pg_dump'), ['--format=custom', `--snapshot=${snapshot}`, `--file=${file}`, `--dbname=${url}`]);
    await client.query('COMMIT');
    return { revision, floor: floorRow ? Number(floorRow.value) : 0, bytes: statSync(file).size, format: 'pg_dump' };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
