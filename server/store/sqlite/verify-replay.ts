/**
 * Replay check: rebuilds the projections from one consistent snapshot of a database file (a read
 * transaction on a connection of its own, so the API server may keep writing) into a scratch
 * database, on two threads, and compares digests with that snapshot's own tables; on a mismatch,
 * names the first row that differs. Reads only: the database checked is never written.
 */
import Database from 'better-sqlite3';
import { digestProjections, firstDifference } from './digest.js';
import { replayParallel } from './parallel-replay.js';
import { openScratchDatabase } from './scratch-database.js';
import type { AllocationsOf, Difference, ReplayReport, ReplayStats, TableDigest } from '../records.js';

export interface ReplayOptions {
  /** Directory for the scratch database (default: the OS temporary directory). */
  tmpDir?: string;
}

export async function verifyReplay(file: string, allocationsOf: AllocationsOf, options: ReplayOptions = {}): Promise<ReplayReport> {
  const live = new Database(file, { fileMustExist: true });
  const scratch = openScratchDatabase(options.tmpDir);
  try {
    live.pragma('busy_timeout = 5000');
    live.exec('BEGIN');
    live.prepare('SELECT count(*) FROM sqlite_master').get(); // the snapshot starts here
    const stats = await replayParallel(live, scratch, allocationsOf);
    const replayed = digestProjections(scratch.sqlite, live);
    const current = digestProjections(live);
    const match = replayed.digest === current.digest;
    return {
      ...stats,
      digest: replayed.digest,
      liveDigest: current.digest,
      match,
      firstDifference: match ? undefined : firstDifference(scratch.sqlite, live, live),
      tables: replayed.tables,
      liveTables: current.tables,
    };
  } finally {
    scratch.dispose();
    if (live.inTransaction) live.exec('COMMIT');
    live.close();
  }
}
