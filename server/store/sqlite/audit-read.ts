/**
 * Reads of the log for auditLog and the `log` subscription's catch-up: the events matching a
 * filter after a revision, oldest first, a page at a time. One statement; the indexes on
 * (kind, namespace, name, revision), (actor, revision), (namespace, revision) and (kind, revision)
 * serve the usual filters in revision order.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { UNAUDITED_KINDS, type AuditFilter } from '../audit-filter.js';
import type { LogTime } from './log-time.js';
import { toStoredEvent } from './stored-event.js';
import type { events } from './tables.js';
import type { StoredEvent } from '../types.js';
import type { AuditPage } from '../records.js';

function conditions(filter: AuditFilter, after: number, end: number | undefined): SQL[] {
  const where: SQL[] = [sql`revision > ${after}`];
  if (end !== undefined) where.push(sql`revision < ${end}`);
  if (filter.actor !== undefined) where.push(sql`actor = ${filter.actor}`);
  if (filter.verb !== undefined) where.push(sql`verb = ${filter.verb}`);
  if (filter.kind !== undefined) where.push(sql`kind = ${filter.kind}`);
  else for (const kind of UNAUDITED_KINDS) where.push(sql`kind != ${kind}`);
  if (filter.namespace !== undefined) where.push(sql`namespace = ${filter.namespace}`);
  if (filter.name !== undefined) where.push(sql`name = ${filter.name}`);
  if (filter.toRevision !== undefined) where.push(sql`revision <= ${filter.toRevision}`);
  // A time range is also checked on each row (its ends, found first, bound the walk: readAudit).
  if (filter.since !== undefined) where.push(sql`ts >= ${filter.since}`);
  if (filter.until !== undefined) where.push(sql`ts < ${filter.until}`);
  return where;
}

/** Matching events with revision > `after`, at most `limit`, oldest first. */
export function readAudit(db: BetterSQLite3Database, time: LogTime, filter: AuditFilter, after: number, limit: number): AuditPage {
  // The walk in revision order starts at the higher of the two lower bounds.
  if (filter.fromRevision !== undefined) after = Math.max(after, filter.fromRevision - 1);
  if (filter.since !== undefined) {
    // The first event committed at or after `since` (log-time.ts): the walk in revision order starts there.
    const first = time.firstAtOrAfter(filter.since);
    if (first === undefined) return { events: [], hasMore: false };
    after = Math.max(after, first - 1);
  }
  // Every event from the first committed at or after `until` on is outside the range: the walk ends before it.
  const end = filter.until === undefined ? undefined : time.firstAtOrAfter(filter.until);
  const rows = db.all<typeof events.$inferSelect>(
    sql`SELECT revision, ts, actor, verb, type, kind, namespace, name, uid, prev_revision AS prevRevision, object, request_id AS requestId
        FROM events WHERE ${sql.join(conditions(filter, after, end), sql` AND `)} ORDER BY revision LIMIT ${limit + 1}`,
  );
  const hasMore = rows.length > limit;
  return { events: (hasMore ? rows.slice(0, limit) : rows).map(toStoredEvent), hasMore };
}
