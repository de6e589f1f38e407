/**
 * Time to revision without an index on ts (log-time.ts): the log's times never fall with its
 * revisions (a new event's ts is at least the newest's, whatever the clock does; migration 0010 made
 * older logs so), and a binary search over revisions finds the first event at or after a time,
 * exactly, over the gaps a kind's own compaction leaves. Retention by age and auditLog's since and
 * until are built on it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as pgDrizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { KObject } from '../../server/resources/kind.js';
import { registryAllocations } from '../../server/store/registry-allocations.js';
import { openPostgresStore } from '../../server/store/postgres/create-store.js';
import { createStore } from '../../server/store/sqlite/create-store.js';
import { logTime } from '../../server/store/sqlite/log-time.js';
import { migrationsBefore } from '../support/migrations-before.js';
import { postgresMissing } from '../support/postgres.js';
import { storeFixtures } from '../support/store-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'kubeql-log-time-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const configMap = (name: string, value: string): KObject =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', uid: `uid-${name}` }, data: { value } }) as unknown as KObject;
const secret = (name: string): KObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default', uid: `uid-${name}` } }) as unknown as KObject;

describe('time to revision', () => {
  it('finds, by binary search, exactly what a scan of the log finds, over gaps and runs of equal times', () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE events (revision integer PRIMARY KEY NOT NULL, ts integer NOT NULL)');
    // 600 revisions, a third missing (a kind compacted faster), times rising by 0-3 ms: many equal.
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const rows: Array<{ revision: number; ts: number }> = [];
    let ts = 1_000;
    for (let revision = 1; revision <= 600; revision++) {
      ts += Math.floor(random() * 4);
      if (random() < 1 / 3) continue;
      rows.push({ revision, ts });
    }
    // What the search is up against: gaps, and times shared by neighbours.
    expect(rows.length).toBeGreaterThan(300);
    expect(rows.length).toBeLessThan(500);
    expect(rows.filter((r, i) => i > 0 && rows[i - 1].ts === r.ts).length).toBeGreaterThan(50);
    const insert = db.prepare('INSERT INTO events (revision, ts) VALUES (@revision, @ts)');
    for (const row of rows) insert.run(row);
    const time = logTime(db);
    for (let t = 990; t <= ts + 2; t++) {
      expect(time.firstAtOrAfter(t)).toBe(rows.find((r) => r.ts >= t)?.revision);
      expect(time.revisionBefore(t)).toBe(rows.filter((r) => r.ts < t).at(-1)?.revision ?? 0);
    }
    // An empty log has no time.
    db.exec('DELETE FROM events');
    expect(time.firstAtOrAfter(0)).toBeUndefined();
    expect(time.revisionBefore(10 ** 13)).toBe(0);
    db.close();
  });

  it('a clock that steps back does not make the log go back in time; auditLog and retention read the times exactly', async () => {
    const dataDir = join(root, 'store');
    mkdirSync(dataDir);
    const store = createStore({ dataDir, synchronous: 'NORMAL', allocationsOf: registryAllocations });
    try {
      const now = vi.spyOn(Date, 'now');
      const write = async (at: number, object: KObject) => {
        now.mockReturnValue(at);
        return store.write((tx) => {
          const previous = tx.get(object.kind, 'default', object.metadata.name);
          // tx.ts is what the verbs stamp objects with (creationTimestamp, conditions).
          return [tx.append({ actor: 'test', verb: previous ? 'update' : 'create', type: previous ? 'MODIFIED' : 'ADDED', object }).revision, tx.ts];
        });
      };
      expect(await write(1_000_000, configMap('a', '1'))).toEqual([1, 1_000_000]);
      expect(await write(2_000_000, configMap('b', '1'))).toEqual([2, 2_000_000]);
      expect(await write(2_000_000, secret('s'))).toEqual([3, 2_000_000]);
      // The clock steps back half an hour's worth of ms: the event is timed as its predecessor.
      expect(await write(1_500_000, configMap('c', '1'))).toEqual([4, 2_000_000]);
      expect(await write(3_000_000, secret('s'))).toEqual([5, 3_000_000]);
      expect(await write(4_000_000, configMap('d', '1'))).toEqual([6, 4_000_000]);
      expect(await write(5_000_000, configMap('a', '2'))).toEqual([7, 5_000_000]);
      now.mockRestore();
      const times = store.readEvents(0, 100).map((e) => [e.revision, e.ts]);
      expect(times).toEqual([[1, 1_000_000], [2, 2_000_000], [3, 2_000_000], [4, 2_000_000], [5, 3_000_000], [6, 4_000_000], [7, 5_000_000]]);

      // Secrets compacted to 5: revisions 3 and 5 are gaps now.
      store.compactKind('Secret', 5);
      expect(store.readEvents(2, 100, 'ConfigMap').map((e) => e.revision)).toEqual([4, 6, 7]);
      const audit = (filter: { since?: number; until?: number }) => store.readAudit({ kind: 'ConfigMap', ...filter }, 2, 100).events.map((e) => e.revision);
      expect(audit({ since: 2_000_000 })).toEqual([4, 6, 7]);
      expect(audit({ since: 2_000_001 })).toEqual([6, 7]);
      expect(audit({ since: 3_000_000 })).toEqual([6, 7]);
      expect(audit({ until: 4_000_000 })).toEqual([4]);
      expect(audit({ since: 2_500_000, until: 5_000_000 })).toEqual([6]);
      expect(audit({ since: 5_000_001 })).toEqual([]);
      // Retention by age: the newest event before a time, over the gaps.
      expect([999_999, 2_000_000, 2_000_001, 4_000_000, 10 ** 13].map((t) => store.revisionBefore(t))).toEqual([0, 1, 4, 4, 7]);
    } finally {
      store.close();
    }
  });

  it('migration 0010 gives a log written before it times that never fall, changing only the events timed below an earlier one', () => {
    const dataDir = join(root, 'old');
    mkdirSync(dataDir);
    const old = new Database(join(dataDir, 'kubeql.db'));
    migrateSqlite(drizzle(old), { migrationsFolder: migrationsBefore(10, root) });
    // Times as a server wrote them through two clock steps back (revisions 3-4, then 6).
    const written = [1_000, 2_000, 1_500, 1_900, 3_000, 2_500, 3_000, 4_000];
    const insert = old.prepare(
      "INSERT INTO events (revision, ts, actor, verb, type, kind, namespace, name, uid, object) VALUES (?, ?, 'test', 'create', 'ADDED', 'ConfigMap', 'default', ?, ?, '{}')",
    );
    written.forEach((ts, i) => insert.run(i + 1, ts, `c${i + 1}`, `uid-${i + 1}`));
    old.close();
    const store = createStore({ dataDir, synchronous: 'NORMAL', allocationsOf: registryAllocations });
    try {
      expect(store.readEvents(0, 100).map((e) => e.ts)).toEqual([1_000, 2_000, 2_000, 2_000, 3_000, 3_000, 3_000, 4_000]);
      expect(store.readEvents(0, 100).map((e) => e.name)).toEqual(written.map((_, i) => `c${i + 1}`));
      expect(store.readAudit({ since: 2_500 }, 0, 100).events.map((e) => e.revision)).toEqual([5, 6, 7, 8]);
    } finally {
      store.close();
    }
  });
});

describe('time to revision on PostgreSQL', () => {
  const fixtures = storeFixtures('log-time-pg');
  it.skipIf(postgresMissing !== undefined)('migration 0002 gives a log several servers wrote times that never fall, and the replicas search them', async () => {
    const url = await fixtures.database();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    fixtures.closeAfterTest(() => client.end());
    await migrate(pgDrizzle({ client }), { migrationsFolder: migrationsBefore(2, root, 'postgres') });
    // Two servers whose clocks differ by half a second took turns: the second's events fell behind.
    const written = [1_000, 1_600, 1_100, 1_700, 1_200, 1_800];
    for (const [i, ts] of written.entries())
      await client.query(
        "INSERT INTO events (revision, ts, actor, verb, type, kind, namespace, name, uid, object) VALUES ($1, $2, 'test', 'create', 'ADDED', 'ConfigMap', 'default', $3, $4, '{}')",
        [i + 1, ts, `c${i + 1}`, `uid-${i + 1}`],
      );
    await client.query(`INSERT INTO log_head (id, head) VALUES (1, ${written.length})`);
    const store = await openPostgresStore({ url, allocationsOf: registryAllocations });
    fixtures.closeAfterTest(() => store.shutdown());
    expect((await client.query('SELECT ts FROM events ORDER BY revision')).rows.map((r) => Number(r.ts))).toEqual([1_000, 1_600, 1_600, 1_700, 1_700, 1_800]);
    expect((await client.query("SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'events_ts'")).rows[0].n).toBe(0);
    // The replica took the times as PostgreSQL now holds them, and its searches are exact.
    expect(store.readEvents(0, 100).map((e) => e.ts)).toEqual([1_000, 1_600, 1_600, 1_700, 1_700, 1_800]);
    expect(store.readAudit({ since: 1_650 }, 0, 100).events.map((e) => e.revision)).toEqual([4, 5, 6]);
    expect(store.revisionBefore(1_650)).toBe(3);
  });
});
