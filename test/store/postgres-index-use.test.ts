/**
 * A write batch's reads of the PostgreSQL log stay on its indexes on a database without
 * statistics: a new database, before autovacuum has analyzed its tables (a minute or more after
 * writes begin), gets scans of whole tables for the keyed reads every write batch makes under the
 * head row lock, each growing with the log. Autovacuum is off for these tables, so the test sees what a new database
 * sees for as long as it runs. The changes read (read-changes.ts) is planned here with and without
 * INDEXED_READS, the batch's closing of versions (ship-batch.ts) with it. The indexes of ended
 * versions (compaction's) hold no entry for a current version (migration 0004).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../server/store/postgres/connect.js';
import { migratePostgres } from '../../server/store/postgres/migrate.js';
import { CHANGES_PREPARE, changesAfterSql, changesExecute, INDEXED_READS } from '../../server/store/postgres/read-changes.js';
import { SHIP_PREPARE, shipBatchSql } from '../../server/store/postgres/ship-batch.js';
import { postgresMissing, startPostgres, type PostgresServer } from '../support/postgres.js';

const ROWS = 20_000;
let postgres: PostgresServer | undefined;
let pool: pg.Pool | undefined;

beforeAll(async () => {
  if (postgresMissing) return;
  postgres = await startPostgres();
  pool = createPool(await postgres.createDatabase(), 10_000);
  await migratePostgres(pool);
  for (const table of ['events', 'objects', 'labels', 'allocations']) await pool.query(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
  // A log of ROWS pod creates: each event, its object's version, one label.
  await pool.query(`INSERT INTO events (revision, ts, actor, verb, type, kind, namespace, name, uid, prev_revision, object)
    SELECT g, g, 'test', 'create', 'ADDED', 'Pod', 'default', 'p-' || g, 'u-' || g, NULL, '{"kind":"Pod"}' FROM generate_series(1, ${ROWS}) g`);
  await pool.query(`INSERT INTO objects (kind, namespace, name, from_rev, to_rev, uid) SELECT 'Pod', 'default', 'p-' || g, g, NULL, 'u-' || g FROM generate_series(1, ${ROWS}) g`);
  await pool.query(`INSERT INTO labels (kind, namespace, name, key, value, from_rev, to_rev) SELECT 'Pod', 'default', 'p-' || g, 'app', 'web', g, NULL FROM generate_series(1, ${ROWS}) g`);
  const analyzed = await pool.query(`SELECT count(*)::int AS n FROM pg_stat_user_tables WHERE relname IN ('events', 'objects', 'labels') AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)`);
  expect(analyzed.rows[0].n).toBe(0);
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await postgres?.stop();
});

/** The tables a statement's plan scans whole, in a transaction with `settings` before it. */
async function scannedWhole(statement: string, settings: string[]): Promise<string[]> {
  const client = await pool!.connect();
  try {
    await client.query('BEGIN');
    for (const s of settings) await client.query(s);
    const plan = (await client.query(`EXPLAIN (FORMAT JSON) ${statement}`)).rows[0]['QUERY PLAN'];
    const found: string[] = [];
    const walk = (node: Record<string, unknown>) => {
      if (node['Node Type'] === 'Seq Scan') found.push(String(node['Relation Name']));
      for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    walk(plan[0].Plan);
    return found.filter((t) => t !== 'allocations').sort();
  } finally {
    await client.query('ROLLBACK');
    // Prepared statements outlive the transaction: gone before the connection is used again.
    await client.query('DEALLOCATE ALL');
    client.release();
  }
}

describe.skipIf(postgresMissing !== undefined)('reads of the PostgreSQL log on tables without statistics', () => {
  it('reads the changes after a revision through the indexes, where PostgreSQL left alone scans every table whole', async () => {
    for (const after of [ROWS, ROWS - 10]) {
      expect(await scannedWhole(changesAfterSql(after, 1000), [])).toEqual(['events', 'labels', 'objects']);
      expect(await scannedWhole(changesAfterSql(after, 1000), [INDEXED_READS])).toEqual([]);
      // As a write batch runs it: prepared once per connection, then executed.
      expect(await scannedWhole(changesExecute(after, 1000), [CHANGES_PREPARE, INDEXED_READS])).toEqual([]);
    }
  });

  it('answers the prepared read with the same changes as the statement', async () => {
    const client = await pool!.connect();
    try {
      await client.query(CHANGES_PREPARE);
      for (const [after, limit] of [[ROWS - 3, 1000], [ROWS - 50, 10], [ROWS, 1000]]) {
        const plain = (await client.query(changesAfterSql(after, limit))).rows[0];
        const prepared = (await client.query(changesExecute(after, limit))).rows[0];
        expect(prepared).toEqual(plain);
        expect(prepared.events.length).toBe(Math.min(limit, ROWS - after));
      }
    } finally {
      await client.query('DEALLOCATE ALL');
      client.release();
    }
  });

  // PostgreSQL plans these on the keys with or without the setting (it guesses 100 rows from a JSON
  // array); they run in the batch's transaction, after it, and must stay on the keys.
  it('closes the versions a batch ends through the objects and labels keys', async () => {
    const touched = [{ kind: 'Pod', namespace: 'default', name: 'p-7' }];
    const closed = {
      events: [],
      objects: [{ kind: 'Pod', namespace: 'default', name: 'p-7', from_rev: 7, to_rev: ROWS + 1, uid: 'u-7', node_name: null, phase: null, controller_uid: null, object: null }],
      labels: [{ kind: 'Pod', namespace: 'default', name: 'p-7', key: 'app', value: 'web', from_rev: 7, to_rev: ROWS + 1 }],
      allocations: [],
    };
    const closing = shipBatchSql(ROWS, touched, closed).filter((s) => s.startsWith('EXECUTE kubeql_close_'));
    expect(closing).toHaveLength(2);
    for (const statement of closing) expect(await scannedWhole(statement, [...SHIP_PREPARE, INDEXED_READS])).toEqual([]);
  });
});

describe.skipIf(postgresMissing !== undefined)('the indexes of ended versions', () => {
  it('hold no entry for the current versions, and one for each version that ends', async () => {
    const size = async (index: string) => Number((await pool!.query(`SELECT pg_relation_size($1::regclass) AS n`, [index])).rows[0].n);
    // ROWS current versions: each index is its metapage alone.
    expect(await size('objects_to_rev')).toBe(8192);
    expect(await size('labels_to_rev')).toBe(8192);
    await pool!.query(`UPDATE objects SET to_rev = from_rev + ${ROWS} WHERE from_rev <= 1000`);
    await pool!.query(`UPDATE labels SET to_rev = from_rev + ${ROWS} WHERE from_rev <= 1000`);
    expect(await size('objects_to_rev')).toBeGreaterThan(8192);
    const ended = await pool!.query(`SELECT count(*)::int AS n FROM objects WHERE to_rev <= ${ROWS + 500}`);
    expect(ended.rows[0].n).toBe(500);
  });

  it('refuses to close, as a batch ships it, a version that is not current in PostgreSQL (a replica that diverged)', async () => {
    const client = await pool!.connect();
    try {
      await client.query('BEGIN');
      for (const s of SHIP_PREPARE) await client.query(s);
      // p-7's version from revision 7 ended above; p-2000's is current.
      const version = (n: number) => ({ kind: 'Pod', namespace: 'default', name: `p-${n}`, from_rev: n, to_rev: 3 * ROWS, uid: `u-${n}`, node_name: null, phase: null, controller_uid: null, object: null });
      const [closeBoth] = shipBatchSql(2 * ROWS, [], { events: [], objects: [version(7), version(2000)], labels: [], allocations: [] }).filter((s) => s.startsWith('EXECUTE kubeql_close_'));
      await expect(client.query(closeBoth)).rejects.toThrow('objects: 1 version(s) the batch closed are not current in PostgreSQL');
    } finally {
      await client.query('ROLLBACK');
      await client.query('DEALLOCATE ALL');
      client.release();
    }
  });
});
