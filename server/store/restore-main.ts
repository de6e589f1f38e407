/**
 * `npm run restore -- FILE`: restores a backup (GET /admin/backup, `kq backup`) into $DATA_DIR
 * (default ./data), which must be empty or absent; the API server then starts from it. Prints the
 * restored revision and digest; exit 0, or 1 with the reason.
 */
import { printReplayReport } from './print-report.js';
import { registryAllocations } from './registry-allocations.js';
import { restoreBackup } from './sqlite/restore.js';
import { restorePostgres } from './postgres/restore.js';

const args = process.argv.slice(2).filter((a) => a !== '--');
if (args.length !== 1 || args[0].startsWith('-')) {
  process.stderr.write('usage: npm run restore -- FILE   (into $DATA_DIR, default ./data, which must be empty)\n');
  process.exit(2);
}
const dataDir = process.env.DATA_DIR ?? './data';
// KUBEQL_DATABASE_URL: a pg_dump backup of a PostgreSQL store, restored into that (empty) database.
const databaseUrl = process.env.KUBEQL_DATABASE_URL || undefined;
try {
  const report = databaseUrl ? await restorePostgres(args[0], databaseUrl, registryAllocations) : await restoreBackup(args[0], dataDir, registryAllocations);
  printReplayReport(report);
  console.log(`restored ${args[0]} into ${databaseUrl ? 'the database' : dataDir}: revision ${report.revision}, digest ${report.digest}`);
} catch (error) {
  process.stderr.write(`restore failed: ${(error as Error).message}\n`);
  process.exit(1);
}
