/**
 * Lists one kind at a revision with label and field selectors, in (namespace, name) order.
 * The first label requirement that is an equality or `in` drives the query through the label
 * index, so a selector matching 100 of 10,000 pods reads about 100 rows, not 10,000; the other
 * label requirements are matched on the rows' labels, field selectors in SQL.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { KObject } from '../../resources/kind.js';
import { matchesLabels } from '../../resources/selectors/label-selector.js';
import type { FieldRequirement } from '../../resources/selectors/field-selector.js';
import type { ListQuery } from '../types.js';
import { labelsAlive } from './label-liveness.js';
import { versionBody } from './version-body.js';

/** Rows of `alias` alive at `revision`; `undefined` means the head (current rows only). */
export function live(alias: string, revision: number | undefined): SQL {
  const a = sql.raw(alias);
  if (revision === undefined) return sql`${a}.to_rev IS NULL`;
  return sql`${a}.from_rev <= ${revision} AND (${a}.to_rev IS NULL OR ${a}.to_rev > ${revision})`;
}

/** The SQL value of a field selector's field: a typed column where there is one, else the JSON path. */
function fieldExpression(field: string): SQL {
  switch (field) {
    case 'metadata.name':
      return sql`o.name`;
    case 'metadata.namespace':
      return sql`o.namespace`;
    case 'spec.nodeName':
      return sql`coalesce(o.node_name, '')`;
    case 'status.phase':
      return sql`coalesce(o.phase, '')`;
    default:
      // The same values as a watch reads (field-values.ts), registered in open-database.ts.
      return sql`kq_field(o.kind, ${versionBody('o')}, ${field})`;
  }
}

function fieldCondition(r: FieldRequirement): SQL {
  // An equality on a node name uses the (kind, node_name) index: the kubelet's own-pods query.
  if (r.field === 'spec.nodeName' && r.operator === '=' && r.value !== '') return sql`o.node_name = ${r.value}`;
  const expr = fieldExpression(r.field);
  return r.operator === '=' ? sql`${expr} = ${r.value}` : sql`${expr} <> ${r.value}`;
}

/** Rows read per statement while label requirements are matched in JavaScript. */
const CHUNK = 1000;

export function listObjects(db: BetterSQLite3Database, q: ListQuery, revision: number | undefined): { items: KObject[]; hasMore: boolean } {
  const requirements = q.labelSelector ?? [];
  const driver = requirements.find((r) => r.operator === 'in');
  // The other label requirements are matched on each row's labels, here. As SQL (a correlated
  // subquery each) SQLite's planner flattens them into joins, and both its planning and its per-row
  // cost grow with their number squared: 100 terms took seconds, 1,000 overflowed its expression depth.
  const rest = requirements.filter((r) => r !== driver);
  const conditions: SQL[] = [sql`o.kind = ${q.kind}`, live('o', revision)];
  if (q.namespace !== undefined) conditions.push(sql`o.namespace = ${q.namespace}`);
  if (q.namespaces !== undefined)
    conditions.push(q.namespaces.length ? sql`o.namespace IN (${sql.join(q.namespaces.map((n) => sql`${n}`), sql`, `)})` : sql`0`);
  for (const r of q.fieldSelector ?? []) conditions.push(fieldCondition(r));

  // The kubelet's own pods: a node's few among every current pod. Left to itself (no statistics)
  // SQLite prefers objects_current, whose (kind) range is in the answer's order, and reads every
  // current object of the kind; objects_node holds current rows only, so only at the head.
  const byNode = revision === undefined && q.fieldSelector?.some((r) => r.field === 'spec.nodeName' && r.operator === '=' && r.value !== '');
  let from: SQL = byNode ? sql`objects o INDEXED BY objects_node` : sql`objects o`;
  if (driver) {
    const values = sql.join(driver.values.map((v) => sql`${v}`), sql`, `);
    // CROSS JOIN keeps SQLite from reordering: walk the label index first, then look objects up.
    from = sql`labels d CROSS JOIN objects o ON o.kind = d.kind AND o.namespace = d.namespace AND o.name = d.name`;
    conditions.push(sql`d.kind = ${q.kind} AND d.key = ${driver.key} AND d.value IN (${values}) AND ${labelsAlive('d', revision)}`);
  }
  const limit = q.limit ?? -1;
  // What a page reads of each row: its key only (a list of names: no body is read or parsed, which
  // was most of the cost of a page of 500 pod names), its body, or its body and labels.
  type Read = 'keys' | 'bodies' | 'labels';
  const columns: Record<Read, SQL> = {
    keys: sql``,
    bodies: sql`, ${versionBody('o')} AS object`,
    labels: sql`, ${versionBody('o')} AS object, json_extract(${versionBody('o')}, '$.metadata.labels') AS labels`,
  };
  const page = (after: { namespace: string; name: string } | undefined, size: number, read: Read) =>
    db.all<{ namespace: string; name: string; object: string; labels: string | null }>(
      sql`SELECT o.namespace AS namespace, o.name AS name${columns[read]}
          FROM ${from} WHERE ${sql.join(after ? [...conditions, sql`(o.namespace, o.name) > (${after.namespace}, ${after.name})`] : conditions, sql` AND `)}
          ORDER BY o.namespace, o.name LIMIT ${size}`,
    );

  if (rest.length === 0) {
    const rows = page(q.after, limit < 0 ? -1 : limit + 1, q.keysOnly ? 'keys' : 'bodies');
    const hasMore = limit >= 0 && rows.length > limit;
    const kind = q.kind;
    const item = q.keysOnly
      ? (r: { namespace: string; name: string }) => ({ kind, metadata: r.namespace ? { name: r.name, namespace: r.namespace } : { name: r.name } }) as KObject
      : (r: { object: string }) => JSON.parse(r.object) as KObject;
    return { items: (hasMore ? rows.slice(0, limit) : rows).map(item), hasMore };
  }
  const want = limit < 0 ? Infinity : limit + 1;
  const matched: string[] = [];
  let after = q.after;
  for (;;) {
    const rows = page(after, CHUNK, 'labels');
    for (const row of rows) {
      if (!matchesLabels(rest, row.labels === null ? undefined : (JSON.parse(row.labels) as Record<string, string>))) continue;
      matched.push(row.object);
      if (matched.length >= want) break;
    }
    if (matched.length >= want || rows.length < CHUNK) break;
    after = rows[rows.length - 1];
  }
  const hasMore = matched.length > limit && limit >= 0;
  return { items: (hasMore ? matched.slice(0, limit) : matched).map((o) => JSON.parse(o) as KObject), hasMore };
}
