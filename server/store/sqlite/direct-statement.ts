/**
 * A drizzle-built prepared statement run by better-sqlite3 directly. drizzle's own `run` resolves
 * every placeholder of the statement on every call (an entity check per parameter) and calls its
 * logger; on the append path, run several times per write, that was a few percent of a write's CPU.
 * Here the placeholders are resolved once, when the statement is prepared: each call only reads the
 * values by name, encodes them as drizzle would (its column's driver value), and runs SQLite's
 * statement. The SQL is drizzle's own (`getQuery`), so both paths run the same statement.
 */
import type Database from 'better-sqlite3';
import { is, Param, Placeholder } from 'drizzle-orm';

/** What the append path runs: `run(values)` with the statement's named values, as drizzle's prepared `run` takes them. */
export interface DirectStatement {
  run(values: Record<string, unknown>): Database.RunResult;
}

/** One parameter: the value of a named placeholder (with its column's encoding), or a constant. */
type Binding = { name: string; encode?: (value: unknown) => unknown } | { constant: unknown };

/** `prepared` (a drizzle prepared statement) as a statement of `sqlite`, the connection it was prepared on. */
export function directStatement(sqlite: Database.Database, prepared: { getQuery(): { sql: string; params: unknown[] } }): DirectStatement {
  const { sql, params } = prepared.getQuery();
  const bindings: Binding[] = params.map((p): Binding => {
    if (is(p, Placeholder)) return { name: p.name };
    if (is(p, Param) && is(p.value, Placeholder)) {
      const { encoder } = p;
      const name = (p.value as Placeholder).name;
      return encoder ? { name, encode: (v) => encoder.mapToDriverValue(v) } : { name };
    }
    return { constant: p };
  });
  const statement = sqlite.prepare(sql);
  const n = bindings.length;
  return {
    run(values) {
      const args: unknown[] = new Array(n);
      for (let i = 0; i < n; i++) {
        const b = bindings[i];
        if ('constant' in b) args[i] = b.constant;
        else {
          if (!(b.name in values)) throw new Error(`No value for placeholder "${b.name}" was provided`);
          args[i] = b.encode ? b.encode(values[b.name]) : values[b.name];
        }
      }
      return statement.run(...args);
    },
  };
}

