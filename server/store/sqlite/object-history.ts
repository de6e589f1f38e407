/**
 * Every version of one object name, oldest first, from the log: across delete and re-create (the
 * uid tells the objects apart), for deleted objects too. Each version comes with the version before
 * it of the same object (prev_revision), from the same page, the log, or — when the log below the
 * floor is compacted — the snapshot's row of that version; none for a create.
 */
import { sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { KObject } from '../../resources/kind.js';
import { toStoredEvent } from './stored-event.js';
import { versionBody } from './version-body.js';
import type { events } from './tables.js';
import type { ObjectKey, StoredEvent } from '../types.js';
import type { HistoryPage } from '../records.js';

const COLUMNS = sql.raw(
  'revision, ts, actor, verb, type, kind, namespace, name, uid, prev_revision AS prevRevision, object, request_id AS requestId',
);

function previousVersion(db: BetterSQLite3Database, kind: string, key: ObjectKey, revision: number): KObject | undefined {
  const fromLog = db.get<{ object: string }>(sql`SELECT object FROM events WHERE revision = ${revision}`);
  const row =
    fromLog ??
    db.get<{ object: string }>(
      sql`SELECT ${versionBody('o')} AS object FROM objects o WHERE o.kind = ${kind} AND o.namespace = ${key.namespace} AND o.name = ${key.name} AND o.from_rev = ${revision}`,
    );
  return row ? (JSON.parse(row.object) as KObject) : undefined;
}

/** Versions of (kind, namespace, name) with revision > `after`, at most `limit`. */
export function readHistory(db: BetterSQLite3Database, kind: string, key: ObjectKey, after: number, limit: number): HistoryPage {
  const rows = db.all<typeof events.$inferSelect>(
    sql`SELECT ${COLUMNS} FROM events WHERE kind = ${kind} AND namespace = ${key.namespace} AND name = ${key.name} AND revision > ${after}
        ORDER BY revision LIMIT ${limit + 1}`,
  );
  const hasMore = rows.length > limit;
  const page = (hasMore ? rows.slice(0, limit) : rows).map(toStoredEvent);
  const byRevision = new Map(page.map((e) => [e.revision, e.object]));
  const versions = page.map((event) => {
    const prev = event.prevRevision;
    const previous = prev === null ? undefined : (byRevision.get(prev) ?? previousVersion(db, kind, key, prev));
    return { event, previous };
  });
  return { versions, hasMore };
}
