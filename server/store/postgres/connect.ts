/** Connections to the PostgreSQL database of record, with 64-bit integers read as JavaScript numbers. */
import pg from 'pg';

/** int8 (revisions, times) as numbers: exact up to 2^53, as the Revision scalar promises (DESIGN.md §4). */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/**
 * The store's pool (writes, catch-up, maintenance). `lockTimeoutMs` bounds how long a statement
 * waits for a lock (the head row's, a table's): past it the batch fails UNAVAILABLE (retryable)
 * instead of hanging its requests.
 */
export function createPool(url: string, lockTimeoutMs: number, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, types, lock_timeout: lockTimeoutMs });
  // An idle client whose connection drops emits on the pool; the next query gets a new one.
  pool.on('error', () => {});
  return pool;
}

/** One connection of its own (the writer's, the listener's). */
export function createClient(url: string): pg.Client {
  return new pg.Client({ connectionString: url, types });
}
