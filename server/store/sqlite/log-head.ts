/**
 * The head of a database's log: the revision of its newest event. Compaction may remove the newest
 * events (the log's floor, or a kind's own floor, reaching the head: retention.ts); then the head is
 * that floor, which store_meta keeps. A replica copied from a log whose newest events were compacted
 * keeps the head it was given under the key 'head' (replica.ts). So the head is the highest of the
 * newest revision and those values, and needs no row written by every append (it was sqlite_sequence's,
 * which AUTOINCREMENT updated on every insert: a B-tree written, and a page more in every commit).
 */
import type Database from 'better-sqlite3';

/** The store_meta key of a head set explicitly (a replica's copy, replica.ts). */
export const HEAD_KEY = 'head';

export const LOG_HEAD_SQL = `SELECT max(
  coalesce((SELECT max(revision) FROM events), 0),
  coalesce((SELECT max(CAST(value AS INTEGER)) FROM store_meta WHERE key = 'floor' OR key = '${HEAD_KEY}' OR key GLOB 'floor:*'), 0))`;

export function readLogHead(sqlite: Database.Database): number {
  return sqlite.prepare(LOG_HEAD_SQL).pluck().get() as number;
}
