/**
 * Objects of one kind whose indexed column (spec.nodeName, the controller's uid) is one of many
 * values, grouped by value, in one statement. At the head, one objects_node / objects_controller
 * index lookup per value; at a past revision (those indexes hold current rows only), one pass over
 * the kind's rows.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { KObject } from '../../resources/kind.js';
import { live } from './list-objects.js';
import type { ObjectIndex } from '../types.js';
import { versionBody } from './version-body.js';

const COLUMN: Record<ObjectIndex, SQL> = {
  nodeName: sql.raw('o.node_name'),
  controllerUid: sql.raw('o.controller_uid'),
};

export function listBy(
  db: BetterSQLite3Database,
  kind: string,
  index: ObjectIndex,
  values: readonly string[],
  revision: number | undefined,
): Map<string, KObject[]> {
  const column = COLUMN[index];
  const wanted = JSON.stringify([...new Set(values)]);
  const query =
    revision === undefined
      ? // CROSS JOIN keeps the values outermost, so each is an index lookup.
        sql`SELECT ${column} AS value, ${versionBody('o')} AS object FROM json_each(${wanted}) v CROSS JOIN objects o
            ON o.kind = ${kind} AND ${column} = v.value WHERE ${live('o', revision)} ORDER BY o.namespace, o.name`
      : sql`SELECT ${column} AS value, ${versionBody('o')} AS object FROM objects o
            WHERE o.kind = ${kind} AND ${column} IN (SELECT value FROM json_each(${wanted})) AND ${live('o', revision)}
            ORDER BY o.namespace, o.name`;
  const groups = new Map<string, KObject[]>(values.map((v) => [v, []]));
  for (const row of db.all<{ value: string; object: string }>(query)) groups.get(row.value)?.push(JSON.parse(row.object) as KObject);
  return groups;
}
