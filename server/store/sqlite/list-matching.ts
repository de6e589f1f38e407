/**
 * For many label selectors at once (each a namespace and labels that must all be present, as a
 * Service's spec.selector), the objects of one kind each selects, in one statement: label-index
 * rows matching any (key, value) of a selector are counted per object, and an object is selected
 * when all of the selector's labels matched.
 */
import { sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { KObject } from '../../resources/kind.js';
import { labelsAlive } from './label-liveness.js';
import { live } from './list-objects.js';
import type { LabelMatch } from '../types.js';
import { versionBody } from './version-body.js';

/** Aligned with `selectors`; an empty selector selects nothing. */
export function listMatching(db: BetterSQLite3Database, kind: string, selectors: readonly LabelMatch[], revision: number | undefined): KObject[][] {
  const wanted = JSON.stringify(selectors.map((s) => ({ ns: s.namespace, n: Object.keys(s.labels).length, labels: s.labels })));
  const rows = db.all<{ sel: number; object: string }>(
    sql`WITH req AS (
          SELECT s.key AS sel, s.value ->> 'ns' AS ns, s.value ->> 'n' AS n, p.key AS key, p.value AS value
          FROM json_each(${wanted}) s, json_each(s.value, '$.labels') p
        ),
        hits AS (
          SELECT q.sel AS sel, l.namespace AS namespace, l.name AS name
          FROM req q CROSS JOIN labels l ON l.kind = ${kind} AND l.key = q.key AND l.value = q.value AND l.namespace = q.ns
          WHERE ${labelsAlive('l', revision)}
          GROUP BY q.sel, l.namespace, l.name
          HAVING count(*) = max(q.n)
        )
        SELECT h.sel AS sel, ${versionBody('o')} AS object
        FROM hits h CROSS JOIN objects o ON o.kind = ${kind} AND o.namespace = h.namespace AND o.name = h.name
        WHERE ${live('o', revision)}
        ORDER BY h.sel, o.namespace, o.name`,
  );
  const result: KObject[][] = selectors.map(() => []);
  for (const row of rows) result[row.sel].push(JSON.parse(row.object) as KObject);
  return result;
}
