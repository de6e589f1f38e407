/**
 * Where a version's body is: each object version is stored once. While the event that opened it
 * (revision from_rev, whose object is exactly that version) is in the log, the objects row holds
 * NULL and the body is read from the event, one primary-key lookup; compaction copies the body into
 * the row before it deletes the event (compact.ts). Databases from before this keep both copies,
 * which reads the same. Every read of objects.object goes through here.
 */
import { sql, type SQL } from 'drizzle-orm';

/** The SQL text of the body of the objects row aliased `alias` (coalesce evaluates the lookup only for NULL rows). */
export function versionBodySql(alias: string): string {
  if (!/^[a-z_]+$/.test(alias)) throw new Error(`not a table alias: ${alias}`);
  return `coalesce(${alias}.object, (SELECT e.object FROM events e WHERE e.revision = ${alias}.from_rev))`;
}

/** versionBodySql as a drizzle fragment, typed as the JSON text it always is for a version whose event or copy exists. */
export function versionBody(alias: string): SQL<string> {
  return sql<string>`${sql.raw(versionBodySql(alias))}`;
}
