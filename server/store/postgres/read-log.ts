/** Events of the PostgreSQL log after a revision, oldest first, as log rows (the object as its JSON text). */
import type pg from 'pg';
import type { EventRow } from '../sqlite/replica.js';

const SELECT_AFTER = `SELECT revision, ts, actor, verb, type, kind, namespace, name, uid, prev_revision AS "prevRevision", object, request_id AS "requestId"
  FROM events WHERE revision > $1 ORDER BY revision LIMIT $2`;

/**
 * Committed events after `after`. Commits happen in revision order (the head row lock is held to
 * COMMIT), so what one statement sees above a revision is a gap-free run.
 */
export async function readLogAfter(client: pg.ClientBase | pg.Pool, after: number, limit: number): Promise<EventRow[]> {
  return (await client.query<EventRow>(SELECT_AFTER, [after, limit])).rows;
}
