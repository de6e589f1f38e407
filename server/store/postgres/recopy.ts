/**
 * A replica that fell behind a compaction (cut off from PostgreSQL while the events it had not read
 * were compacted away) cannot follow the log event by event any more. It is copied afresh: a new
 * REPEATABLE READ snapshot goes into a scratch file first (asynchronously, the live replica still
 * serving reads), then replaces the live replica's log and projections in one synchronous SQLite
 * transaction, so no reader ever sees half of it. Issued credentials are not part of it: they follow
 * their own cursor (tokens.ts), which compaction never passes.
 */
import type pg from 'pg';
import type { AllocationsOf } from '../records.js';
import { openReplica, type Replica } from '../sqlite/replica.js';
import { copySnapshot } from './snapshot.js';

/** The tables compaction and the log's events change (snapshot.ts copies these and the credentials). */
const REPLACED = ['events', 'objects', 'labels', 'allocations', 'store_meta'];

/** Replaces `replica`'s log and projections with the database's now; returns the log's head at the snapshot. */
export async function recopyReplica(pool: pg.Pool, replica: Replica, allocationsOf: AllocationsOf, scratchDir?: string): Promise<number> {
  const scratch = openReplica(allocationsOf, scratchDir);
  try {
    const { head } = await copySnapshot(pool, scratch);
    swapIn(replica, scratch, head);
    return head;
  } finally {
    scratch.dispose();
  }
}

/**
 * Replaces `replica`'s log and projections with `scratch`'s (a copy of the database at `head`), in
 * one synchronous SQLite transaction; closes `scratch` (its caller disposes of it).
 */
export function swapIn(replica: Replica, scratch: Replica, head: number): void {
  const file = scratch.sqlite.name;
  scratch.sqlite.close();
  const { sqlite } = replica;
  sqlite.prepare('ATTACH DATABASE ? AS fresh').run(file);
  try {
    sqlite.transaction(() => {
      for (const table of REPLACED) {
        sqlite.exec(`DELETE FROM main.${table}`);
        // Same migrations, same column order.
        sqlite.exec(`INSERT INTO main.${table} SELECT * FROM fresh.${table}`);
      }
    })();
  } finally {
    sqlite.exec('DETACH DATABASE fresh');
  }
  replica.setHead(head);
}
