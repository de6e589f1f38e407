/**
 * Rebuilds the projections in place: replays the snapshot and the log into a scratch database,
 * compares, and where they differ replaces the live objects, labels and allocations with the
 * replay. Must run inside a write transaction of `live` (the offline command's IMMEDIATE
 * transaction, or a group-commit job). The report describes the tables as they were before.
 */
import type Database from 'better-sqlite3';
import type { Allocation, KObject } from '../../resources/kind.js';
import { digestProjections, firstDifference } from './digest.js';
import { replayInto } from './replay.js';
import { openScratchDatabase } from './scratch-database.js';
import type { ReplayOptions } from './verify-replay.js';
import type { ReplayReport } from '../records.js';
import { PROJECTED_TABLES } from '../records.js';

function replaceTables(live: Database.Database, scratch: Database.Database): void {
  for (const table of PROJECTED_TABLES) {
    const columns = (scratch.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => `"${c.name}"`);
    live.exec(`DELETE FROM ${table}`);
    const insert = live.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    for (const row of scratch.prepare(`SELECT ${columns.join(', ')} FROM ${table}`).raw(true).iterate()) insert.run(row as unknown[]);
  }
  // Replay copies the snapshot's rows with their bodies; live, a body whose event is in the log stays there only (version-body.ts).
  live.exec(`UPDATE objects SET object = NULL WHERE object IS NOT NULL AND object = (SELECT e.object FROM events e WHERE e.revision = objects.from_rev)`);
}

export function rebuildProjections(live: Database.Database, allocationsOf: (o: KObject) => Allocation[], options: ReplayOptions = {}): ReplayReport {
  if (!live.inTransaction) throw new Error('rebuildProjections must run inside a write transaction');
  const scratch = openScratchDatabase(options.tmpDir);
  try {
    const stats = replayInto(live, scratch.sqlite, allocationsOf);
    const replayed = digestProjections(scratch.sqlite, live);
    const before = digestProjections(live);
    const match = replayed.digest === before.digest;
    const difference = match ? undefined : firstDifference(scratch.sqlite, live, live);
    if (!match) {
      replaceTables(live, scratch.sqlite);
      const after = digestProjections(live);
      if (after.digest !== replayed.digest) throw new Error(`rebuilt tables digest ${after.digest}, replay ${replayed.digest}`);
    }
    return { ...stats, digest: replayed.digest, liveDigest: before.digest, match, firstDifference: difference, tables: replayed.tables, liveTables: before.tables };
  } finally {
    scratch.dispose();
  }
}
