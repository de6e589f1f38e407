/**
 * Ships a batch committed in the local replica to PostgreSQL, inside the writer's transaction
 * (which holds the log's head row lock): its log rows, and the projection rows it opened, closed
 * or freed (the replica's rowsAbove). A few statements per batch, each carrying all its rows as one
 * JSON array (json_populate_recordset), sent together with the head's move and COMMIT in one
 * simple-protocol query: one round trip, not one per statement. Simple protocol takes no
 * parameters, so each array travels as a dollar-quoted literal (no escaping to get wrong: a tag
 * the text does not contain is chosen). PostgreSQL's keys (one current version per object, one
 * holder per allocated value) back up the replica's checks.
 */
import type { ChangedRows, ObjectKeyRow } from '../sqlite/replica.js';

/** The statements sending `rows` (the replica's rows above `before` for the objects in `touched`), in order. */
export function shipBatchSql(before: number, touched: readonly ObjectKeyRow[], rows: ChangedRows): string[] {
  const statements = [`INSERT INTO events SELECT * FROM json_populate_recordset(null::events, ${literal(rows.events)}::json)`];
  // Versions PostgreSQL already holds get their end; then the new versions (each with its end, if
  // the batch closed it too). Closing first keeps one current row per object at every step.
  statements.push(...closeAndInsert('objects', 'kind = x.kind AND t.namespace = x.namespace AND t.name = x.name AND t.from_rev = x.from_rev', rows.objects, before));
  statements.push(...closeAndInsert('labels', 'kind = x.kind AND t.namespace = x.namespace AND t.name = x.name AND t.key = x.key AND t.from_rev = x.from_rev', rows.labels, before));
  statements.push(
    `DELETE FROM allocations t USING json_to_recordset(${literal(touched)}::json) AS x(kind text, namespace text, name text) WHERE t.kind = x.kind AND t.namespace = x.namespace AND t.name = x.name`,
  );
  if (rows.allocations.length) statements.push(`INSERT INTO allocations SELECT * FROM json_populate_recordset(null::allocations, ${literal(rows.allocations)}::json)`);
  return statements;
}

function closeAndInsert(table: string, match: string, rows: Array<{ from_rev: number }>, before: number): string[] {
  const statements: string[] = [];
  const closed = rows.filter((r) => r.from_rev <= before);
  const opened = rows.filter((r) => r.from_rev > before);
  if (closed.length) {
    // Each closed version must be current in PostgreSQL: anything else means the replica has
    // diverged, and the batch must fail before COMMIT. Plain SQL has no RAISE: casting the
    // message to an integer fails with it (the value depends on the row count, so it is only
    // evaluated, and only fails, when the count is wrong).
    statements.push(
      `WITH closed AS (UPDATE ${table} t SET to_rev = x.to_rev FROM json_populate_recordset(null::${table}, ${literal(closed)}::json) x WHERE t.${match} AND t.to_rev IS NULL RETURNING 1)
SELECT CASE WHEN count(*) <> ${closed.length} THEN ('${table}: ' || (${closed.length} - count(*)) || ' version(s) the batch closed are not current in PostgreSQL')::int END FROM closed`,
    );
  }
  if (opened.length) statements.push(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(null::${table}, ${literal(opened)}::json)`);
  return statements;
}

/** `value` as JSON in a dollar-quoted string constant, with a tag its text does not contain. */
function literal(value: unknown): string {
  const text = JSON.stringify(value);
  let tag = '$j$';
  for (let n = 0; text.includes(tag); n++) tag = `$j${n}$`;
  return `${tag}${text}${tag}`;
}
