/** Typed access to replay-sql.cjs: replay's own SQL (shared by this thread and the parallel replay's worker). */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import type { ProjectedTable } from '../records.js';

export interface Executor {
  /** Runs recorded operations: [opcode, ...parameters], one after the other. */
  run(ops: unknown[]): void;
}

/** Opcodes of replay's statements. */
export interface Opcodes {
  closeObject: 0;
  insertObject: 1;
  closeLabel: 2;
  insertLabel: 3;
  freeAllocations: 4;
  insertAllocation: 5;
}

const sqlSide = createRequire(import.meta.url)('./replay-sql.cjs') as {
  COLUMNS: Record<ProjectedTable, readonly string[]>;
  STATEMENTS: ReadonlyArray<{ sql: string; arity: number }>;
  OP: Opcodes;
  createExecutor(db: Database.Database): Executor;
  tuneScratch(db: Database.Database): void;
  threadCpuMs(): number | undefined;
};

/** The projected tables' columns, in the order replay's inserts bind them (and its snapshot copy reads them). */
export const REPLAY_COLUMNS = sqlSide.COLUMNS;
/** Replay's statements by opcode, with their number of parameters. */
export const REPLAY_STATEMENTS = sqlSide.STATEMENTS;
export const OP = sqlSide.OP;
export const createExecutor = sqlSide.createExecutor;
/** Sets the scratch database's pragmas (no journal, no fsync, exclusive, big cache). */
export const tuneScratch = sqlSide.tuneScratch;
export const threadCpuMs = sqlSide.threadCpuMs;
export const REPLAY_SQL_FILE = fileURLToPath(new URL('./replay-sql.cjs', import.meta.url));

/**
 * Where `db`'s projected tables and replay's statements disagree: per table, the columns only the
 * table has and those only replay binds. Empty when they match.
 */
export function replayColumnDrift(db: Database.Database): Array<{ table: ProjectedTable; onlyInTable: string[]; onlyInReplay: string[] }> {
  return (Object.keys(REPLAY_COLUMNS) as ProjectedTable[]).flatMap((table) => {
    const actual = (db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name);
    const replay = REPLAY_COLUMNS[table];
    const onlyInTable = actual.filter((c) => !replay.includes(c));
    const onlyInReplay = replay.filter((c) => !actual.includes(c));
    return onlyInTable.length || onlyInReplay.length ? [{ table, onlyInTable, onlyInReplay }] : [];
  });
}

/** Throws when `db`'s projected tables have columns replay does not write, or lack ones it does. */
export function assertReplayColumns(db: Database.Database): void {
  const drift = replayColumnDrift(db);
  if (drift.length)
    throw new Error(
      `replay's statements do not match the tables: ${drift
        .map((d) => `${d.table}${d.onlyInTable.length ? ` has ${d.onlyInTable.join(', ')} that replay does not write` : ''}${d.onlyInTable.length && d.onlyInReplay.length ? ',' : ''}${d.onlyInReplay.length ? ` lacks ${d.onlyInReplay.join(', ')} that replay writes` : ''}`)
        .join('; ')} (server/store/sqlite/replay-sql.cjs)`,
    );
}
