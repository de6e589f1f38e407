/**
 * `npm run replay -- [--verify]`: replays the log of $DATA_DIR (default ./data).
 * --verify: reads one consistent snapshot (a read transaction: the API server may keep running),
 * rebuilds the projections into a temporary database, prints both digests and exits 0 when they
 * match, 1 with the first differing object otherwise. Without --verify: rebuilds the projections
 * in place, in one write transaction (stop the API server first).
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

const args = process.argv.slice(2).filter((a) => a !== '--');
const unknown = args.filter((a) => a !== '--verify');
if (unknown.length) {
  process.stderr.write(`unknown argument ${unknown[0]}\nusage: npm run replay -- [--verify]   (reads $DATA_DIR, default ./data)\n`);
  process.exit(2);
}
const databaseUrl = process.env.KUBEQL_DATABASE_URL || undefined;
if (databaseUrl) {
  // PostgreSQL: the check only (the API servers keep running); projections are not rebuilt in place.
  if (!args.includes('--verify')) {
    process.stderr.write('with KUBEQL_DATABASE_URL only `npm run replay -- --verify` is available\n');
    process.exit(2);
  }
  const pool = createPool(databaseUrl, 10_000, 1);
  try {
    const report = await verifyPostgresReplay(pool, registryAllocations);
    printReplayReport(report);
    process.exitCode = report.match ? 0 : 1;
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
