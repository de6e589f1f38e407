/** Point reads of many objects of one kind at a revision, in one statement (the relations' batched loads). */
import { sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { KObject } from '../../resources/kind.js';
import { live } from './list-objects.js';
import type { ObjectKey } from '../types.js';
import { versionBody } from './version-body.js';

const keyOf = (namespace: string, name: string) => `${namespace}\u0000${name}`;

/** The objects at `keys`, aligned with them (undefined where absent); `revision` undefined reads the head. */
export function getMany(db: BetterSQLite3Database, kind: string, keys: readonly ObjectKey[], revision: number | undefined): Array<KObject | undefined> {
  const wanted = JSON.stringify(keys.map((k) => [k.namespace, k.name]));
  // CROSS JOIN keeps the keys outermost: one index lookup (objects_current, or the primary key at a
  // past revision) per key.
  const rows = db.all<{ namespace: string; name: string; object: string }>(
    sql`SELECT o.namespace AS namespace, o.name AS name, ${versionBody('o')} AS object
        FROM json_each(${wanted}) k CROSS JOIN objects o
          ON o.kind = ${kind} AND o.namespace = k.value ->> 0 AND o.name = k.value ->> 1
        WHERE ${live('o', revision)}`,
  );
  const found = new Map(rows.map((r) => [keyOf(r.namespace, r.name), r.object]));
  return keys.map((k) => {
    const json = found.get(keyOf(k.namespace, k.name));
    return json === undefined ? undefined : (JSON.parse(json) as KObject);
  });
}
