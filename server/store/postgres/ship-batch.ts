/**
 * Ships a batch committed in the local replica to PostgreSQL, inside the writer's transaction
 * (which holds the log's head row lock): its log rows, and the projection rows it opened, closed
 * or freed (the replica's rowsAbove). A few statements per batch, each carrying all its rows as one
 * JSON array (json_populate_recordset), sent together with the head's move and COMMIT in one
 * simple-protocol query: one round trip, not one per statement. Simple protocol takes no
 * parameters, so each array travels as a dollar-quoted literal (no escaping to get wrong: a tag
 * the text does not contain is chosen). PostgreSQL's keys (one current version per object, one
 * holder per allocated value) back up the replica's checks.
 *
 * The statements are prepared once per connection (SHIP_PREPARE, sent ahead of a batch on a
 * connection that has not had them) and run as EXECUTE with the arrays as arguments: parsed,
 * analyzed and planned anew for every batch, they were about a third of PostgreSQL's CPU per batch.
 */
import type { ChangedRows, ObjectKeyRow } from '../sqlite/replica.js';

const OBJECT_KEY = 't.kind = x.kind AND t.namespace = x.namespace AND t.name = x.name AND t.from_rev = x.from_rev';
const LABEL_KEY = 't.kind = x.kind AND t.namespace = x.namespace AND t.name = x.name AND t.key = x.key AND t.from_rev = x.from_rev';

/**
 * Each closed version must be current in PostgreSQL: anything else means the replica has diverged,
 * and the batch must fail before COMMIT. Plain SQL has no RAISE: casting the message to an integer
 * fails with it (the value depends on the row count, so it is only evaluated, and only fails, when
 * the count is wrong). $1: the versions, $2: how many.
 */
const close = (table: string, key: string) =>
  `WITH closed AS (UPDATE ${table} t SET to_rev = x.to_rev FROM json_populate_recordset(null::${table}, $1) x WHERE ${key} AND t.to_rev IS NULL RETURNING 1)
SELECT CASE WHEN count(*) <> $2 THEN ('${table}: ' || ($2 - count(*)) || ' version(s) the batch closed are not current in PostgreSQL')::int END FROM closed`;

/** Inserts the rows of `table` given as a JSON array ($1). */
const insert = (table: string) => ({ types: 'json', sql: `INSERT INTO ${table} SELECT * FROM json_populate_recordset(null::${table}, $1)` });

/** The prepared statements of a batch, by name. */
const PREPARED: Record<string, { types: string; sql: string }> = {
  kubeql_ship_events: insert('events'),
  kubeql_close_objects: { types: 'json, bigint', sql: close('objects', OBJECT_KEY) },
  kubeql_open_objects: insert('objects'),
  kubeql_close_labels: { types: 'json, bigint', sql: close('labels', LABEL_KEY) },
  kubeql_open_labels: insert('labels'),
  kubeql_free_allocations: {
    types: 'json',
    sql: 'DELETE FROM allocations t USING json_to_recordset($1) AS x(kind text, namespace text, name text) WHERE t.kind = x.kind AND t.namespace = x.namespace AND t.name = x.name',
  },
  kubeql_hold_allocations: insert('allocations'),
};

/** The PREPARE statements a connection runs once before it ships its first batch. */
export const SHIP_PREPARE: readonly string[] = Object.entries(PREPARED).map(([name, { types, sql }]) => `PREPARE ${name}(${types}) AS ${sql}`);

/** The statements sending `rows` (the replica's rows above `before` for the objects in `touched`), in order, on a connection with SHIP_PREPARE run. */
export function shipBatchSql(before: number, touched: readonly ObjectKeyRow[], rows: ChangedRows): string[] {
  const statements = [`EXECUTE kubeql_ship_events(${literal(rows.events)})`];
  // Versions PostgreSQL already holds get their end; then the new versions (each with its end, if
  // the batch closed it too). Closing first keeps one current row per object at every step.
  statements.push(...closeAndOpen('objects', rows.objects, before));
  statements.push(...closeAndOpen('labels', rows.labels, before));
  statements.push(`EXECUTE kubeql_free_allocations(${literal(touched)})`);
  if (rows.allocations.length) statements.push(`EXECUTE kubeql_hold_allocations(${literal(rows.allocations)})`);
  return statements;
}

function closeAndOpen(table: 'objects' | 'labels', rows: Array<{ from_rev: number }>, before: number): string[] {
  const statements: string[] = [];
  const closed = rows.filter((r) => r.from_rev <= before);
  const opened = rows.filter((r) => r.from_rev > before);
  if (closed.length) statements.push(`EXECUTE kubeql_close_${table}(${literal(closed)}, ${closed.length})`);
  if (opened.length) statements.push(`EXECUTE kubeql_open_${table}(${literal(opened)})`);
  return statements;
}

/** `value` as JSON in a dollar-quoted string constant, with a tag its text does not contain. */
function literal(value: unknown): string {
  const text = JSON.stringify(value);
  let tag = '$j$';
  for (let n = 0; text.includes(tag); n++) tag = `$j${n}$`;
  return `${tag}${text}${tag}`;
}
