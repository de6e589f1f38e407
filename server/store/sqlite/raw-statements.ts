/**
 * The projection's prepared statements without drizzle's per-call placeholder filling: the same
 * SQL text drizzle built (so the same statements as the live path), bound by position and recorded
 * as flat operations that replay-sql.cjs runs, on the calling thread or in a worker thread.
 */
import { Param, Placeholder } from 'drizzle-orm';
import type { ProjectionStatements } from '../project-event.js';
import type { Statements } from './statements.js';

export type Values = Record<string, unknown>;
type Binder = (v: Values) => unknown;

export interface StatementPlan {
  sql: string;
  /** The placeholder name of each SQL parameter (undefined for a fixed value). */
  names: Array<string | undefined>;
  /** One per SQL parameter, in order: the named value (through the column's encoder) or a fixed value. */
  binders: Binder[];
}

interface DrizzlePrepared {
  getQuery(): { sql: string; params: unknown[] };
}

export const PROJECTION_STATEMENTS = ['closeObject', 'insertObject', 'closeLabel', 'insertLabel', 'freeAllocations', 'insertAllocation'] as const;

export function statementPlan(prepared: DrizzlePrepared): StatementPlan {
  const { sql, params } = prepared.getQuery();
  const binders = params.map((p): Binder => {
    if (p instanceof Placeholder) return (v) => v[p.name];
    if (p instanceof Param && p.value instanceof Placeholder) {
      const { name } = p.value;
      const encoder = p.encoder;
      return encoder ? (v) => encoder.mapToDriverValue(v[name]) : (v) => v[name];
    }
    return () => p;
  });
  const names = params.map((p) => (p instanceof Placeholder ? p.name : p instanceof Param && p.value instanceof Placeholder ? p.value.name : undefined));
  return { sql, names, binders };
}

/** The plans of projectEvent's statements, in PROJECTION_STATEMENTS order. */
export function projectionPlans(st: Statements): StatementPlan[] {
  return PROJECTION_STATEMENTS.map((name) => statementPlan(st[name] as unknown as DrizzlePrepared));
}

function byName(run: (plan: StatementPlan, index: number) => (v: Values) => unknown, plans: StatementPlan[]): ProjectionStatements {
  return Object.fromEntries(PROJECTION_STATEMENTS.map((name, i) => [name, { run: run(plans[i], i) }])) as ProjectionStatements;
}

/** Appends each run to `ops` as [statement index, ...parameters] (the statement's arity is its plan's). */
export function recordingProjectionStatements(plans: StatementPlan[], ops: { list: unknown[] }): ProjectionStatements {
  return byName(({ binders }, index) => (v) => {
    const list = ops.list;
    list.push(index);
    for (const bind of binders) list.push(bind(v));
  }, plans);
}
