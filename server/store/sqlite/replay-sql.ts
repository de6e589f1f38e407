/** Typed access to replay-sql.cjs (the SQL side of replay, shared by this thread and the parallel replay's worker) and the spec it runs from. */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { PROJECTION_STATEMENTS, type StatementPlan } from './raw-statements.js';

type StatementName = (typeof PROJECTION_STATEMENTS)[number];

export interface VersionedSpec {
  /** The close statement (sets to_rev on the current version): where its key and revision are. */
  close: { index: number; key: number[]; revision: number };
  /** The insert of a new version: where its key is; the same insert with to_rev bound, and where that parameter goes. */
  insert: { index: number; key: number[]; closedSql: string; toRevAt: number };
}

export interface ExecutorSpec {
  statements: Array<{ sql: string; arity: number }>;
  versioned: VersionedSpec[];
}

export interface Executor {
  /** Runs recorded statements: [statement index, ...parameters], one after the other. */
  run(ops: unknown[]): void;
  /** Writes what is still held (the current versions); call before committing the end. */
  finish(): void;
}

const sqlSide = createRequire(import.meta.url)('./replay-sql.cjs') as {
  createExecutor(db: Database.Database, spec: ExecutorSpec): Executor;
  threadCpuMs(): number | undefined;
};

export const createExecutor = sqlSide.createExecutor;
export const threadCpuMs = sqlSide.threadCpuMs;
export const REPLAY_SQL_FILE = fileURLToPath(new URL('./replay-sql.cjs', import.meta.url));

/** drizzle's `insert into "t" (cols) values (..., null, ...)` with to_rev's `null` made a parameter. */
function withToRev(sql: string): { closedSql: string; toRevAt: number } {
  const m = sql.match(/^insert into ("[^"]+") \((.+)\) values \((.+)\)$/);
  const columns = m?.[2].split(', ');
  const values = m?.[3].split(', ');
  const at = columns?.indexOf('"to_rev"') ?? -1;
  if (!m || !columns || !values || columns.length !== values.length || at < 0 || values[at] !== 'null') throw new Error(`replay: unexpected insert ${sql}`);
  values[at] = '?';
  return { closedSql: `insert into ${m[1]} (${m[2]}) values (${values.join(', ')})`, toRevAt: values.slice(0, at).filter((v) => v === '?').length };
}

export function executorSpec(plans: StatementPlan[]): ExecutorSpec {
  const index = (statement: StatementName) => PROJECTION_STATEMENTS.indexOf(statement);
  const at = (statement: StatementName, name: string) => {
    const position = plans[index(statement)].names.indexOf(name);
    if (position < 0) throw new Error(`replay: ${statement} has no parameter ${name}`);
    return position;
  };
  const versioned = (close: StatementName, insert: StatementName, key: string[]): VersionedSpec => ({
    close: { index: index(close), key: key.map((k) => at(close, k)), revision: at(close, 'revision') },
    insert: { index: index(insert), key: key.map((k) => at(insert, k)), ...withToRev(plans[index(insert)].sql) },
  });
  return {
    statements: plans.map((p) => ({ sql: p.sql, arity: p.binders.length })),
    versioned: [versioned('closeObject', 'insertObject', ['kind', 'namespace', 'name']), versioned('closeLabel', 'insertLabel', ['kind', 'namespace', 'name', 'key'])],
  };
}
