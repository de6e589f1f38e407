/**
 * Ships a batch committed in the local replica to PostgreSQL, inside the writer's transaction
 * (which holds the log's head row lock): its log rows, and the projection rows it opened, closed
 * or freed (the replica's rowsAbove). A few statements per batch, each carrying all its rows as one
 * JSON array (json_populate_recordset), not one round trip per row. PostgreSQL's keys (one current
 * version per object, one holder per allocated value) back up the replica's checks.
 */
import type pg from 'pg';
import type { ChangedRows, ObjectKeyRow } from '../sqlite/replica.js';

/** Sends `rows` (the replica's rows above `before` for the objects in `touched`) into PostgreSQL through `client`. */
export async function shipBatch(client: pg.ClientBase, before: number, touched: readonly ObjectKeyRow[], rows: ChangedRows): Promise<void> {
  await client.query('INSERT INTO events SELECT * FROM json_populate_recordset(null::events, $1::json)', [JSON.stringify(rows.events)]);
  // Versions PostgreSQL already holds get their end; then the new versions (each with its end, if
  // the batch closed it too). Closing first keeps one current row per object at every step.
  await closeAndInsert(client, 'objects', 'kind = x.kind AND t.namespace = x.namespace AND t.name = x.name AND t.from_rev = x.from_rev', rows.objects, before);
  await closeAndInsert(client, 'labels', 'kind = x.kind AND t.namespace = x.namespace AND t.name = x.name AND t.key = x.key AND t.from_rev = x.from_rev', rows.labels, before);
  await client.query(
    'DELETE FROM allocations t USING json_to_recordset($1::json) AS x(kind text, namespace text, name text) WHERE t.kind = x.kind AND t.namespace = x.namespace AND t.name = x.name',
    [JSON.stringify(touched)],
  );
  if (rows.allocations.length) await client.query('INSERT INTO allocations SELECT * FROM json_populate_recordset(null::allocations, $1::json)', [JSON.stringify(rows.allocations)]);
}

async function closeAndInsert(client: pg.ClientBase, table: string, match: string, rows: Array<{ from_rev: number }>, before: number): Promise<void> {
  const closed = rows.filter((r) => r.from_rev <= before);
  const opened = rows.filter((r) => r.from_rev > before);
  if (closed.length) {
    const result = await client.query(
      `UPDATE ${table} t SET to_rev = x.to_rev FROM json_populate_recordset(null::${table}, $1::json) x WHERE t.${match} AND t.to_rev IS NULL`,
      [JSON.stringify(closed)],
    );
    // Each closed version must be current in PostgreSQL: anything else means the replica has diverged.
    if (result.rowCount !== closed.length) throw new Error(`${table}: ${closed.length - (result.rowCount ?? 0)} version(s) the batch closed are not current in PostgreSQL`);
  }
  if (opened.length) await client.query(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(null::${table}, $1::json)`, [JSON.stringify(opened)]);
}
