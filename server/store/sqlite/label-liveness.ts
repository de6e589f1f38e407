/**
 * Which label rows are alive at a revision, written as the label index labels_alive orders them
 * (tables.ts): by their end, to_rev, or the largest integer while current. The current rows of a
 * label value are then one value of the index, and the rows alive at R one range (end > R); SQLite
 * uses an index on an expression only where a statement writes that same expression.
 */
import { sql, type SQL } from 'drizzle-orm';

/** The end of a current row: the largest 64-bit integer. */
const CURRENT_END = '9223372036854775807';

/** The indexed expression, for rows of `alias`. */
function end(alias: string): SQL {
  return sql.raw(`(CASE WHEN ${alias}.to_rev IS NULL THEN ${CURRENT_END} ELSE ${alias}.to_rev END)`);
}

/** Label rows of `alias` alive at `revision`; `undefined` means the head (current rows only). */
export function labelsAlive(alias: string, revision: number | undefined): SQL {
  if (revision === undefined) return sql`${end(alias)} = ${sql.raw(CURRENT_END)}`;
  return sql`${end(alias)} > ${revision} AND ${sql.raw(alias)}.from_rev <= ${revision}`;
}
