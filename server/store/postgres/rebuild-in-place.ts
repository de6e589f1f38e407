/**
 * replay(verify: false) on PostgreSQL: the projections rebuilt from the log, in place. Inside one
 * PostgreSQL transaction that holds the log's head row lock (every server's writers wait, as on
 * SQLite they wait for the one write transaction), the database is copied into a scratch replica,
 * whose projections SQLite's own rebuild replays from the snapshot at the floor and the log; where
 * they differ, PostgreSQL's objects, labels and allocations are replaced with the rebuilt ones, and
 * the commit NOTIFYs every server to copy the database afresh (recopy.ts). The report describes the
 * tables as they were before, as SQLite's does.
 */
import type pg from 'pg';
import type { AllocationsOf, ReplayReport } from '../records.js';
import { PROJECTED_TABLES } from '../records.js';
import { openReplica, type Replica } from '../sqlite/replica.js';
import { rebuildProjections } from '../sqlite/rebuild-projections.js';
import { copySnapshot } from './snapshot.js';

/** Every server LISTENs on it: the payload-less notice that the projections were rebuilt (copy afresh). */
export const REBUILT_CHANNEL = 'kubeql_rebuilt';

/** Rows sent per INSERT statement (as one JSON array). */
const CHUNK = 2_000;

export interface RebuildResult {
  report: ReplayReport;
  /** A scratch replica holding the database as committed (the caller swaps it in, then disposes of it). */
  copy: Replica;
  head: number;
}

export async function rebuildInPlace(pool: pg.Pool, allocationsOf: AllocationsOf, scratchDir?: string): Promise<RebuildResult> {
  const client = await pool.connect();
  const copy = openReplica(allocationsOf, scratchDir);
  let done = false;
  try {
    await client.query('BEGIN');
    // From here until COMMIT no server commits: the copy below is the log as it stands.
    const head = (await client.query<{ head: number }>('SELECT head FROM log_head WHERE id = 1 FOR UPDATE')).rows[0].head;
    const copied = await copySnapshot(pool, copy);
    if (copied.head !== head) throw new Error(`the log moved from ${head} to ${copied.head} under its head row lock`);
    const report = copy.sqlite.transaction(() => rebuildProjections(copy.sqlite, allocationsOf, { tmpDir: scratchDir })).immediate();
    if (!report.match) {
      for (const table of PROJECTED_TABLES) {
        await client.query(`DELETE FROM ${table}`);
        const rows = copy.sqlite.prepare(`SELECT * FROM ${table}`).all();
        for (let i = 0; i < rows.length; i += CHUNK)
          await client.query(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(null::${table}, $1::json)`, [JSON.stringify(rows.slice(i, i + CHUNK))]);
      }
      await client.query(`SELECT pg_notify('${REBUILT_CHANNEL}', '')`);
    }
    await client.query('COMMIT');
    done = true;
    return { report, copy, head };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
    if (!done) copy.dispose();
  }
}
