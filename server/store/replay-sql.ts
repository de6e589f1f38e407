/** Typed access to replay-sql.cjs (the SQL side of replay, shared by this thread and the parallel replay's worker) and the spec it runs from. */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { PROJECTION_STATEMENTS, type StatementPlan } from './raw-statements.js';

export interface ExecutorSpec {
  statements: Array<{ sql: string; arity: number }>;
  close: { index: number; kind: number; namespace: number; name: number; revision: number };
  insert: { index: number; kind: number; namespace: number; name: number };
}

export interface Executor {
  /** Runs recorded statements: [statement index, ...parameters], one after the other. */
  run(ops: unknown[]): void;
}

const sqlSide = createRequire(import.meta.url)('./replay-sql.cjs') as {
  createExecutor(db: Database.Database, spec: ExecutorSpec): Executor;
  threadCpuMs(): number | undefined;
};

export const createExecutor = sqlSide.createExecutor;
export const threadCpuMs = sqlSide.threadCpuMs;
export const REPLAY_SQL_FILE = fileURLToPath(new URL('./replay-sql.cjs', import.meta.url));

/** The executor's spec from the projection plans: their SQL and where closeObject and insertObject take the object's key. */
export function executorSpec(plans: StatementPlan[]): ExecutorSpec {
  const at = (statement: (typeof PROJECTION_STATEMENTS)[number], name: string) => {
    const position = plans[PROJECTION_STATEMENTS.indexOf(statement)].names.indexOf(name);
    if (position < 0) throw new Error(`replay: ${statement} has no parameter ${name}`);
    return position;
  };
  return {
    statements: plans.map((p) => ({ sql: p.sql, arity: p.binders.length })),
    close: { index: PROJECTION_STATEMENTS.indexOf('closeObject'), kind: at('closeObject', 'kind'), namespace: at('closeObject', 'namespace'), name: at('closeObject', 'name'), revision: at('closeObject', 'revision') },
    insert: { index: PROJECTION_STATEMENTS.indexOf('insertObject'), kind: at('insertObject', 'kind'), namespace: at('insertObject', 'namespace'), name: at('insertObject', 'name') },
  };
}
