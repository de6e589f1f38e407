/** Sizes of the SQLite files in a data directory (the database and its write-ahead log), for metrics. */
import { statSync } from 'node:fs';
import { join } from 'node:path';

const size = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? 0;

export function databaseFileSizes(dataDir: string): { database: number; wal: number } {
  return { database: size(join(dataDir, 'kubeql.db')), wal: size(join(dataDir, 'kubeql.db-wal')) };
}
