/**
 * A new replica's first contents: the PostgreSQL tables as of one REPEATABLE READ snapshot (log,
 * projections, floors, credentials), copied row for row into the empty local SQLite file.
 */
import type pg from 'pg';
import type { Replica } from '../sqlite/replica.js';

/** The tables copied, with their columns (the same names in both dialects). */
const COPIED: Array<{ table: string; columns: string[] }> = [
  { table: 'events', columns: ['revision', 'ts', 'actor', 'verb', 'type', 'kind', 'namespace', 'name', 'uid', 'prev_revision', 'object', 'request_id'] },
  { table: 'objects', columns: ['kind', 'namespace', 'name', 'from_rev', 'to_rev', 'uid', 'node_name', 'phase', 'controller_uid', 'object'] },
  { table: 'labels', columns: ['kind', 'namespace', 'name', 'key', 'value', 'from_rev', 'to_rev'] },
  { table: 'allocations', columns: ['pool', 'value', 'kind', 'namespace', 'name'] },
  { table: 'store_meta', columns: ['key', 'value'] },
  {
    table: 'auth_tokens',
    columns: ['token_hash', 'identity', 'groups', 'created_at', 'expires_at', 'token_id', 'issued_by', 'bound_namespace', 'bound_name', 'bound_uid', 'revoked_at', 'revoked_by'],
  },
  { table: 'credential_events', columns: ['id', 'ts', 'actor', 'action', 'token_id', 'identity', 'expires_at'] },
];

/** Rows fetched per round trip (a cursor keeps the snapshot's memory bounded). */
const PAGE = 5_000;

/** Copies the database into `replica`; returns the log's head and the newest credential event id at the snapshot. */
export async function copySnapshot(pool: pg.Pool, replica: Replica): Promise<{ head: number; credentialId: number }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const head = (await client.query<{ head: number }>('SELECT head FROM log_head WHERE id = 1')).rows[0]?.head ?? 0;
    let credentialId = 0;
    for (const { table, columns } of COPIED) {
      const insert = replica.sqlite.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      // jsonb comes back parsed: SQLite keeps it as JSON text.
      const select = columns.map((c) => (c === 'groups' ? 'groups::text AS groups' : c)).join(', ');
      await client.query(`DECLARE copy_rows NO SCROLL CURSOR FOR SELECT ${select} FROM ${table}`);
      for (;;) {
        const { rows } = await client.query({ text: `FETCH ${PAGE} FROM copy_rows`, rowMode: 'array' });
        replica.sqlite.transaction(() => {
          for (const row of rows as unknown[][]) insert.run(row);
        })();
        if (table === 'credential_events') for (const row of rows as number[][]) credentialId = Math.max(credentialId, row[0]);
        if (rows.length < PAGE) break;
      }
      await client.query('CLOSE copy_rows');
    }
    await client.query('COMMIT');
    replica.setHead(head);
    return { head, credentialId };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
