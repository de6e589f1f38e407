/**
 * Replay check of the PostgreSQL log: one REPEATABLE READ snapshot of the database is copied into a
 * scratch SQLite file, whose log is then replayed and compared with its tables by the SQLite
 * backend's own replay check (digests, first difference). Reads only; writers go on meanwhile.
 */
import type pg from 'pg';
import type { AllocationsOf, ReplayReport } from '../records.js';
import { verifyReplay } from '../sqlite/verify-replay.js';
import { openReplica } from '../sqlite/replica.js';
import { copySnapshot } from './snapshot.js';

export async function verifyPostgresReplay(pool: pg.Pool, allocationsOf: AllocationsOf, tmpDir?: string): Promise<ReplayReport> {
  const copy = openReplica(allocationsOf, tmpDir);
  try {
    await copySnapshot(pool, copy);
    const file = copy.sqlite.name;
    copy.sqlite.close();
    return await verifyReplay(file, allocationsOf, { tmpDir });
  } finally {
    copy.dispose();
  }
}
