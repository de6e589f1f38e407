/**
 * Ships a batch committed in the local replica to PostgreSQL, inside the writer's transaction
 * (which holds the log's head row lock): its log rows, and the projection rows it opened, closed
 * or freed. A few statements per batch, each carrying all its rows as one JSON array
 * (json_populate_recordset), not one round trip per row. PostgreSQL's keys (one current version
 * per object, one holder per allocated value) back up the replica's checks.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';

export interface ObjectKeyRow {
  kind: string;
  namespace: string;
  name: string;
}

export interface BatchShipper {
  /** Sends the replica's rows above `before` for the objects in `touched` into PostgreSQL through `client`. */
  ship(client: pg.ClientBase, before: number, touched: readonly ObjectKeyRow[]): Promise<void>;
}

export function createBatchShipper(sqlite: Database.Database): BatchShipper {
  const eventsAbove = sqlite.prepare('SELECT * FROM events WHERE revision > ? ORDER BY revision');
  const objectRows = sqlite.prepare('SELECT * FROM objects WHERE kind = ? AND namespace = ? AND name = ? AND (from_rev > ? OR to_rev > ?)');
  const labelRows = sqlite.prepare('SELECT * FROM labels WHERE kind = ? AND namespace = ? AND name = ? AND (from_rev > ? OR to_rev > ?)');
  const allocationRows = sqlite.prepare('SELECT * FROM allocations WHERE kind = ? AND namespace = ? AND name = ?');

  return {
    async ship(client, before, touched) {
      const events = eventsAbove.all(before);
      const objects: Array<{ from_rev: number }> = [];
      const labels: Array<{ from_rev: number }> = [];
      const allocations: unknown[] = [];
      for (const { kind, namespace, name } of touched) {
        objects.push(...(objectRows.all(kind, namespace, name, before, before) as Array<{ from_rev: number }>));
        labels.push(...(labelRows.all(kind, namespace, name, before, before) as Array<{ from_rev: number }>));
        allocations.push(...allocationRows.all(kind, namespace, name));
      }
      await client.query('INSERT INTO events SELECT * FROM json_populate_recordset(null::events, $1::json)', [JSON.stringify(events)]);
      // Versions PostgreSQL already holds get their end; then the new versions (each with its end, if
      // the batch closed it too). Closing first keeps one current row per object at every step.
      await closeAndInsert(client, 'objects', 'kind = x.kind AND t.namespace = x.namespace AND t.name = x.name AND t.from_rev = x.from_rev', objects, before);
      await closeAndInsert(client, 'labels', 'kind = x.kind AND t.namespace = x.namespace AND t.name = x.name AND t.key = x.key AND t.from_rev = x.from_rev', labels, before);
      await client.query(
        'DELETE FROM allocations t USING json_to_recordset($1::json) AS x(kind text, namespace text, name text) WHERE t.kind = x.kind AND t.namespace = x.namespace AND t.name = x.name',
        [JSON.stringify(touched)],
      );
      if (allocations.length) await client.query('INSERT INTO allocations SELECT * FROM json_populate_recordset(null::allocations, $1::json)', [JSON.stringify(allocations)]);
    },
  };
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
