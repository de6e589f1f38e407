/**
 * `npm run replay -- [--verify]`: replays the log of $DATA_DIR (default ./data).
 * --verify: reads one consistent snapshot (a read transaction: the API server may keep running),
 * rebuilds the projections into a temporary database, prints both digests and exits 0 when they
 * match, 1 with the first differing object otherwise. Without --verify: rebuilds the projections
 * in place, in one write transaction (SQLite: stop the API server first; PostgreSQL: the servers
 * keep running, their writes wait, and they copy the rebuilt tables: rebuild-in-place.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from './sqlite/open-database.js';
import { printReplayReport } from './print-report.js';
import { rebuildProjections } from './sqlite/rebuild-projections.js';
import { registryAllocations } from './registry-allocations.js';
import { verifyReplay } from './sqlite/verify-replay.js';
import { createPool } from './postgres/connect.js';
import { verifyPostgresReplay } from './postgres/verify-replay.js';
import { rebuildInPlace } from './postgres/rebuild-in-place.js';

const args = process.argv.slice(2).filter((a) => a !== '--');
const unknown = args.filter((a) => a !== '--verify');
if (unknown.length) {
  process.stderr.write(`unknown argument ${unknown[0]}\nusage: npm run replay -- [--verify]   (reads $DATA_DIR, default ./data)\n`);
  process.exit(2);
}
const databaseUrl = process.env.KUBEQL_DATABASE_URL || undefined;
if (databaseUrl) {
  // PostgreSQL: the API servers keep running. The check reads one snapshot; the rebuild holds the
  // log's head row lock while it runs (writers wait), and the servers copy the rebuilt tables.
  // Two connections: the one holding the lock, and the snapshot's.
  const pool = createPool(databaseUrl, 10_000, 2);
  try {
    if (args.includes('--verify')) {
      const report = await verifyPostgresReplay(pool, registryAllocations);
      printReplayReport(report);
      process.exitCode = report.match ? 0 : 1;
    } else {
      const { report, copy } = await rebuildInPlace(pool, registryAllocations);
      copy.dispose();
      printReplayReport(report);
      console.log(report.match ? 'the tables already equal the replay: nothing changed' : 'rebuilt: the projections are now the replay of the log');
    }
  } catch (error) {
    process.stderr.write(`replay failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await pool.end();
  }
  process.exit();
}
const dataDir = process.env.DATA_DIR ?? './data';
const file = join(dataDir, 'kubeql.db');
if (!existsSync(file)) {
  process.stderr.write(`no database at ${file} (set DATA_DIR)\n`);
  process.exit(1);
}

try {
  if (args.includes('--verify')) {
    const report = await verifyReplay(file, registryAllocations);
    printReplayReport(report);
    process.exit(report.match ? 0 : 1);
  } else {
    const { sqlite } = openDatabase(dataDir);
    const report = sqlite.transaction(() => rebuildProjections(sqlite, registryAllocations)).immediate();
    sqlite.close();
    printReplayReport(report);
    console.log(report.match ? 'the tables already equal the replay: nothing changed' : 'rebuilt: the projections are now the replay of the log');
    process.exit(0);
  }
} catch (error) {
  process.stderr.write(`replay failed: ${(error as Error).message}\n`);
  process.exit(1);
}
