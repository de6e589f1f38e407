/**
 * A drizzle-built prepared statement run by better-sqlite3 directly. drizzle's own `run` resolves
 * every placeholder of the statement on every call (an entity check per parameter) and calls its
 * logger; on the append path, run several times per write, that was a few percent of a write's CPU.
 * Here the placeholders are resolved once, when the statement is prepared: each call only reads the
 * values by name, encodes them as drizzle would (its column's driver value), and runs SQLite's
 * statement. The SQL is drizzle's own (`getQuery`), so both paths run the same statement.
 * Point reads run on every write too (the object's current version, the namespace's objects a
 * verb checks): `directQuery` answers rows keyed as drizzle's select names its fields, by position.
 */
import type Database from 'better-sqlite3';
import { is, Param, Placeholder } from 'drizzle-orm';

/** What the append path runs: `run(values)` with the statement's named values, as drizzle's prepared `run` takes them. */
export interface DirectStatement {
  run(values: Record<string, unknown>): Database.RunResult;
}

/** One parameter: the value of a named placeholder (with its column's encoding), or a constant. */
type Binding = { name: string; encode?: (value: unknown) => unknown } | { constant: unknown };

/** The positional arguments of one call: each placeholder's value by name, encoded, and the constants. */
function argumentsOf(params: unknown[]): (values: Record<string, unknown>) => unknown[] {
  const bindings: Binding[] = params.map((p): Binding => {
    if (is(p, Placeholder)) return { name: p.name };
    if (is(p, Param) && is(p.value, Placeholder)) {
      const { encoder } = p;
      const name = (p.value as Placeholder).name;
      return encoder ? { name, encode: (v) => encoder.mapToDriverValue(v) } : { name };
    }
    return { constant: p };
  });
  const n = bindings.length;
  return (values) => {
    const args: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const b = bindings[i];
      if ('constant' in b) args[i] = b.constant;
      else {
        if (!(b.name in values)) throw new Error(`No value for placeholder "${b.name}" was provided`);
        args[i] = b.encode ? b.encode(values[b.name]) : values[b.name];
      }
    }
    return args;
  };
}

export type Prepared = { getQuery(): { sql: string; params: unknown[] } };

/** `prepared` (a drizzle prepared statement) as a statement of `sqlite`, the connection it was prepared on. */
export function directStatement(sqlite: Database.Database, prepared: Prepared): DirectStatement {
  const { sql, params } = prepared.getQuery();
  const args = argumentsOf(params);
  const statement = sqlite.prepare(sql);
  return { run: (values) => statement.run(...args(values)) };
}

/** A read: `get` the first row or undefined, `all` the rows, each keyed as `R`. */
export interface DirectQuery<R> {
  get(values: Record<string, unknown>): R | undefined;
  all(values: Record<string, unknown>): R[];
}

/**
 * `prepared`, a drizzle select, as a query of `sqlite` answering rows keyed by `keys`: its selected
 * fields in the select's order (for `select()`, the table's columns as drizzle lists them). Values
 * come as SQLite gives them, which is what drizzle answers for integer and text columns; a column
 * drizzle decodes (json, boolean, timestamp modes) has no place here.
 */
export function directQuery<R extends Record<string, unknown>>(sqlite: Database.Database, prepared: Prepared, keys: readonly (keyof R & string)[]): DirectQuery<R> {
  const { sql, params } = prepared.getQuery();
  const args = argumentsOf(params);
  const statement = sqlite.prepare(sql).raw(true);
  if (statement.columns().length !== keys.length) throw new Error(`directQuery: ${keys.length} keys for ${statement.columns().length} columns of ${sql}`);
  const n = keys.length;
  const row = (values: unknown[]): R => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) out[keys[i]] = values[i];
    return out as R;
  };
  return {
    get(values) {
      const found = statement.get(...args(values)) as unknown[] | undefined;
      return found === undefined ? undefined : row(found);
    },
    all(values) {
      return (statement.all(...args(values)) as unknown[][]).map(row);
    },
  };
}

