/**
 * Keeps the files bounded after compaction: frees the pages compaction emptied back to the
 * filesystem (incremental vacuum, for databases created with auto_vacuum = INCREMENTAL), then
 * checkpoints the WAL into the database and truncates it. Never waits: a reader holding an old
 * snapshot (a replay, a backup) makes the truncation wait for the next compaction.
 */
import type Database from 'better-sqlite3';

export interface Reclaimed {
  /** Pages given back by the incremental vacuum. */
  freedPages: number;
  /** The WAL was checkpointed completely and truncated to zero bytes. */
  walTruncated: boolean;
}

export function reclaimSpace(sqlite: Database.Database): Reclaimed {
  let freedPages = 0;
  if ((sqlite.pragma('auto_vacuum', { simple: true }) as number) === 2) {
    freedPages = sqlite.pragma('freelist_count', { simple: true }) as number;
    if (freedPages > 0) sqlite.exec('PRAGMA incremental_vacuum');
  }
  const timeout = sqlite.pragma('busy_timeout', { simple: true }) as number;
  sqlite.pragma('busy_timeout = 0');
  try {
    const [result] = sqlite.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    return { freedPages, walTruncated: result?.busy === 0 };
  } finally {
    sqlite.pragma(`busy_timeout = ${timeout}`);
  }
}
