/**
 * Other servers' commits as the rows they left in PostgreSQL: the log rows after a revision and,
 * for the objects they touched, the projection rows those events opened or closed and the
 * allocations held now. One statement (one snapshot, one round trip) per page, so the replica
 * copies rows that already exist instead of projecting each event again (no JSON parsing of
 * objects, no re-validation): see the replica's applyChanges.
 *
 * The statement's text carries its two integers inline, so it can follow the head row lock in
 * the same simple-protocol query as the write batch's first round trip (group-commit.ts).
 */
import type pg from 'pg';
import type { ReplicaChanges } from '../sqlite/replica.js';

/** The SELECT reading the changes after revision `after` (at most `limit` events); its one row is the changes. */
export function changesAfterSql(after: number, limit: number): string {
  return changesQuery(...integers(after, limit));
}

/** `after` and `limit` as the text of integers: the statements carry them inline. */
function integers(after: number, limit: number): [string, string] {
  if (!Number.isSafeInteger(after) || !Number.isSafeInteger(limit)) throw new Error(`not integers: ${after}, ${limit}`);
  return [String(after), String(limit)];
}

/**
 * The same read prepared once per connection (with the ship statements, ship-batch.ts): a write
 * batch's first round trip runs it as EXECUTE (changesExecute) while others write, under the head
 * row lock, where planning its four subqueries anew each time took 0.4-0.7 ms of PostgreSQL's CPU.
 */
export const CHANGES_PREPARE = `PREPARE kubeql_changes_after(bigint, int) AS ${changesQuery('$1', '$2')}`;

/** The EXECUTE of CHANGES_PREPARE: the same row as changesAfterSql(after, limit). */
export function changesExecute(after: number, limit: number): string {
  return `EXECUTE kubeql_changes_after(${integers(after, limit).join(', ')})`;
}

/** The statement with `after` and `limit` as given: integer literals, or parameters. */
function changesQuery(after: string, limit: string): string {
  // Versions closed past the page's last revision are still current as of that revision: their
  // end comes with the page that holds the closing event. Opened versions carry no object text:
  // it is the opening event's object, which the page holds.
  return `WITH e AS (
    SELECT revision, ts, actor, verb, type, kind, namespace, name, uid, prev_revision AS "prevRevision", object, request_id AS "requestId"
    FROM events WHERE revision > ${after} ORDER BY revision LIMIT ${limit}),
  r AS (SELECT coalesce(max(revision), ${after}) AS hi FROM e),
  k AS (SELECT DISTINCT kind, namespace, name FROM e)
SELECT
  (SELECT coalesce(json_agg(e ORDER BY revision), '[]') FROM e) AS events,
  (SELECT coalesce(json_agg(x), '[]') FROM (
    SELECT o.kind, o.namespace, o.name, o.from_rev, CASE WHEN o.to_rev <= r.hi THEN o.to_rev END AS to_rev, o.uid, o.node_name, o.phase, o.controller_uid
    FROM k JOIN objects o ON o.kind = k.kind AND o.namespace = k.namespace AND o.name = k.name CROSS JOIN r
    WHERE o.from_rev <= r.hi AND (o.from_rev > ${after} OR (o.to_rev > ${after} AND o.to_rev <= r.hi))) x) AS objects,
  (SELECT coalesce(json_agg(x), '[]') FROM (
    SELECT l.kind, l.namespace, l.name, l.key, l.value, l.from_rev, CASE WHEN l.to_rev <= r.hi THEN l.to_rev END AS to_rev
    FROM k JOIN labels l ON l.kind = k.kind AND l.namespace = k.namespace AND l.name = k.name CROSS JOIN r
    WHERE l.from_rev <= r.hi AND (l.from_rev > ${after} OR (l.to_rev > ${after} AND l.to_rev <= r.hi))) x) AS labels,
  (SELECT coalesce(json_agg(a), '[]') FROM (
    SELECT a.pool, a.value, a.kind, a.namespace, a.name FROM k JOIN allocations a ON a.kind = k.kind AND a.namespace = k.namespace AND a.name = k.name) a) AS allocations`;
}

/**
 * Keeps PostgreSQL on the indexes for the rest of a write batch's transaction. Every read of
 * changes is by revision range and by object key, yet on tables without statistics (a new
 * database, until autovacuum has analyzed it, a minute or more after writes begin) PostgreSQL
 * planned the read a batch makes under the head row lock as scans of whole tables: 4 ms at 20,000
 * rows, growing with the log, while every server's writes wait for the lock. Reads outside the
 * lock (following others' commits) are left to the planner: giving each a transaction of its own
 * to carry the setting made three servers slower, not faster (1,056–1,144 against 1,152–1,219
 * creates/s in `bench -- ha`), and autovacuum gives the tables statistics soon enough.
 */
export const INDEXED_READS = 'SET LOCAL enable_seqscan = off';

/** The changes after `after` (at most `limit` events), read in one statement. */
export async function readChangesAfter(client: pg.ClientBase | pg.Pool, after: number, limit: number): Promise<ReplicaChanges> {
  return toChanges((await client.query(changesAfterSql(after, limit))).rows[0]);
}

/** The changes out of the row changesAfterSql answers. */
export function toChanges(row: Record<string, unknown>): ReplicaChanges {
  return row as unknown as ReplicaChanges;
}
