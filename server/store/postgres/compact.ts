/**
 * Compaction in PostgreSQL, as sqlite/compact.ts does it in a replica: events at or below the floor
 * go (of one kind, for a kind's own floor), after the versions that survive them took their bodies,
 * and the versions that ended at or below it; the floor is recorded in store_meta and NOTIFYed, and
 * every other server compacts its replica to it.
 */
import type pg from 'pg';
import { kindFloorKey } from '../sqlite/compact.js';

export const FLOOR_CHANNEL = 'kubeql_floor';

/** Compacts the whole log (kind undefined) or one kind at or below `floor`, in one transaction. */
export async function compactPostgres(pool: pg.Pool, kind: string | undefined, floor: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const only = kind === undefined ? '' : ' AND kind = $2';
    const values = kind === undefined ? [floor] : [floor, kind];
    // The versions alive at the floor whose body is still their opening event's get it copied into
    // their row before that event goes (sqlite/version-body.ts: each version is stored once).
    await client.query(
      `UPDATE objects o SET object = e.object FROM events e
       WHERE e.revision <= $1${kind === undefined ? '' : ' AND e.kind = $2'} AND o.kind = e.kind AND o.namespace = e.namespace AND o.name = e.name AND o.from_rev = e.revision
         AND o.object IS NULL AND (o.to_rev IS NULL OR o.to_rev > $1)`,
      values,
    );
    await client.query(`DELETE FROM events WHERE revision <= $1${only}`, values);
    await client.query(`DELETE FROM objects WHERE to_rev <= $1${only}`, values);
    await client.query(`DELETE FROM labels WHERE to_rev <= $1${only}`, values);
    // A floor only rises, whichever server compacts.
    await client.query(
      `INSERT INTO store_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = GREATEST(store_meta.value::bigint, excluded.value::bigint)::text`,
      [kind === undefined ? 'floor' : kindFloorKey(kind), String(floor)],
    );
    await client.query(`SELECT pg_notify('${FLOOR_CHANNEL}', $1)`, [String(floor)]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Every floor in store_meta: the log's under '', each kind's under its name. */
export async function readFloors(pool: pg.Pool): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ key: string; value: string }>(`SELECT key, value FROM store_meta WHERE key = 'floor' OR key LIKE 'floor:%'`);
  return new Map(rows.map((r) => [r.key === 'floor' ? '' : r.key.slice('floor:'.length), Number(r.value)]));
}
