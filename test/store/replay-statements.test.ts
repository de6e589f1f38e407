import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KObject } from '../../server/resources/kind.js';
import { registryAllocations } from '../../server/store/registry-allocations.js';
import { createStore } from '../../server/store/sqlite/create-store.js';
import { digestProjections } from '../../server/store/sqlite/digest.js';
import { replayParallel } from '../../server/store/sqlite/parallel-replay.js';
import { inReadSnapshot, replayInto } from '../../server/store/sqlite/replay.js';
import { REPLAY_COLUMNS, REPLAY_STATEMENTS, replayColumnDrift } from '../../server/store/sqlite/replay-sql.js';
import { openScratchDatabase } from '../../server/store/sqlite/scratch-database.js';
import { verifyReplay } from '../../server/store/sqlite/verify-replay.js';
import { PROJECTED_TABLES } from '../../server/store/records.js';
import type { AppendInput, Store } from '../../server/store/types.js';

/**
 * Replay writes the projected tables with SQL of its own (server/store/sqlite/replay-sql.cjs), not
 * drizzle's: these tests hold that SQL to the tables of tables.ts (as migrated), and the rows it
 * writes to the rows the live path wrote.
 */

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kubeql-replay-sql-test-'));
  dirs.push(d);
  return d;
};
let file: string;

const pod = (name: string, labels: Record<string, string>): KObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}`, labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] }, status: { phase: 'Pending' } }) as unknown as KObject;
/**
 * Objects whose fields projectEvent reads are awkward as JSON: escapes, non-ASCII, quotes in
 * labels; a nodeName that is an object or a number; a phase that is a number; owner references
 * with and without a controller. Replay extracts those fields with SQLite's JSON functions and
 * must read them as JSON.parse of the whole object does.
 */
const oddPod = (name: string, round: number): KObject =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'odd',
      uid: `uid-${name}`,
      ...(round === 1 ? {} : { labels: { 'q"uote': 'a\\b"c', 'ünï': 'cödé ☃', tab: '\t\u0001', round: String(round), 'x\\u0041': '\u00e9' } }),
      ...(round === 2 ? { ownerReferences: [{ uid: 'not-controller' }, { uid: `owner-${round}`, controller: true }] } : round === 3 ? { ownerReferences: [{ uid: 'none', controller: false }] } : {}),
    },
    spec: { nodeName: round === 0 ? { name: 'n' } : round === 1 ? 42 : round === 2 ? 'nöde-"2"' : 'node\\3', containers: [] },
    status: round === 1 ? 'Running' : { phase: round === 2 ? 7 : round === 3 ? 'Running\u2028' : null },
  }) as unknown as KObject;
const service = (name: string, clusterIP: string): KObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { clusterIP, ports: [{ port: 80 }] } }) as unknown as KObject;

/** A history with versions closed and open, labels changed and removed, deletes, re-creates and allocations. */
async function writeHistory(store: Store): Promise<void> {
  const append = (inputs: AppendInput[]) => store.write((tx) => inputs.forEach((i) => tx.append(i)));
  await append(Array.from({ length: 20 }, (_, i) => ({ actor: 't', verb: 'create', type: 'ADDED', object: pod(`p${i}`, { app: 'web', i: String(i) }) })));
  await append(Array.from({ length: 4 }, (_, i) => ({ actor: 't', verb: 'create', type: 'ADDED', object: service(`s${i}`, `10.96.0.${i + 1}`) })));
  for (let round = 0; round < 5; round++)
    await append(
      Array.from({ length: 20 }, (_, i) => {
        const labels: Record<string, string> = { app: 'web', round: String(round) };
        if (i % 3 !== 0) labels.i = String(i);
        const o = pod(`p${i}`, labels);
        (o.status as Record<string, unknown>).phase = round % 2 ? 'Running' : 'Pending';
        return { actor: 't', verb: 'update', type: 'MODIFIED', object: o };
      }),
    );
  await append([
    { actor: 't', verb: 'delete', type: 'DELETED', object: pod('p3', { app: 'web', round: '4', i: '3' }) },
    { actor: 't', verb: 'delete', type: 'DELETED', object: service('s1', '10.96.0.2') },
  ]);
  for (let round = 0; round < 4; round++)
    await append(['o1', 'o2'].map((name) => ({ actor: 't', verb: round ? 'update' : 'create', type: round ? 'MODIFIED' : 'ADDED', object: oddPod(name, round) })));
  await append([{ actor: 't', verb: 'delete', type: 'DELETED', object: oddPod('o2', 3) }]);
  await append([
    { actor: 't', verb: 'create', type: 'ADDED', object: pod('p3', { app: 'api' }) },
    { actor: 't', verb: 'create', type: 'ADDED', object: service('s1', '10.96.0.9') },
    { actor: 't', verb: 'update', type: 'MODIFIED', object: service('s2', '10.96.0.3') },
  ]);
}

beforeAll(async () => {
  const dataDir = tempDir();
  const store = createStore({ dataDir, synchronous: 'NORMAL', allocationsOf: registryAllocations });
  await writeHistory(store);
  store.close();
  file = join(dataDir, 'kubeql.db');
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The columns an INSERT names, an UPDATE sets or a WHERE compares, as written in replay's SQL. */
function statementColumns(sql: string): { table: string; columns: string[]; parameters: number } {
  const parameters = sql.split('?').length - 1;
  const insert = sql.match(/^INSERT INTO (\w+) \(([^)]*)\) VALUES/);
  if (insert) return { table: insert[1], columns: insert[2].split(',').map((c) => c.trim()), parameters };
  const other = sql.match(/^(?:UPDATE|DELETE FROM) (\w+) /);
  if (!other) throw new Error(`not a statement replay writes: ${sql}`);
  return { table: other[1], columns: [...sql.matchAll(/(\w+) (?:=|IS)/g)].map((m) => m[1]), parameters };
}

describe("replay's own SQL", () => {
  it('names exactly the columns of the projected tables, as migrated (PRAGMA table_info)', () => {
    const db = new Database(file, { readonly: true });
    try {
      expect(replayColumnDrift(db)).toEqual([]);
      for (const table of PROJECTED_TABLES) {
        const columns = (db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name);
        expect([...REPLAY_COLUMNS[table]].sort(), table).toEqual([...columns].sort());
      }
      const inserted = new Set<string>();
      for (const { sql, arity } of REPLAY_STATEMENTS) {
        const { table, columns, parameters } = statementColumns(sql);
        const known = (db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name);
        expect(known.length, `${sql}: table ${table}`).toBeGreaterThan(0);
        for (const c of columns) expect(known, sql).toContain(c);
        expect(parameters, sql).toBe(arity);
        if (sql.startsWith('INSERT')) {
          // Every column bound, in replay's order: a version can be written open or closed.
          expect(columns, sql).toEqual([...REPLAY_COLUMNS[table as keyof typeof REPLAY_COLUMNS]]);
          inserted.add(table);
        }
        expect(() => db.prepare(sql), sql).not.toThrow();
      }
      expect([...inserted].sort()).toEqual([...PROJECTED_TABLES].sort());
    } finally {
      db.close();
    }
  });

  it('refuses to replay a database whose tables gained or renamed a column, naming the columns, and writes nothing', async () => {
    const copy = join(tempDir(), 'drifted.db');
    copyFileSync(file, copy);
    const db = new Database(copy);
    db.exec('ALTER TABLE objects ADD COLUMN priority INTEGER');
    db.exec('ALTER TABLE labels RENAME COLUMN value TO label_value');
    expect(replayColumnDrift(db)).toEqual([
      { table: 'objects', onlyInTable: ['priority'], onlyInReplay: [] },
      { table: 'labels', onlyInTable: ['label_value'], onlyInReplay: ['value'] },
    ]);
    const rows = db.prepare('SELECT count(*) FROM objects').pluck().get();
    db.close();
    await expect(verifyReplay(copy, registryAllocations)).rejects.toThrow(/objects has priority that replay does not write; labels has label_value that replay does not write, lacks value that replay writes/);
    const after = new Database(copy, { readonly: true });
    expect(after.prepare('SELECT count(*) FROM objects').pluck().get()).toBe(rows);
    after.close();
  });

  it('rebuilds the live tables row for row, on one thread and on two', async () => {
    const live = new Database(file, { readonly: true });
    const one = openScratchDatabase(tempDir());
    const two = openScratchDatabase(tempDir());
    try {
      const expected = digestProjections(live);
      const rows = Object.fromEntries(expected.tables.map((t) => [t.table, t.rows]));
      // Closed versions, open versions, label rows and allocations are all there to get right.
      expect(live.prepare('SELECT count(*) FROM objects WHERE to_rev IS NOT NULL').pluck().get()).toBeGreaterThan(100);
      expect(live.prepare('SELECT count(*) FROM labels WHERE to_rev IS NOT NULL').pluck().get()).toBeGreaterThan(50);
      expect(rows.allocations).toBe(4);

      const single = inReadSnapshot(live, () => replayInto(live, one.sqlite, registryAllocations));
      expect(single.events).toBe(live.prepare('SELECT count(*) FROM events').pluck().get());
      expect(digestProjections(one.sqlite, live)).toEqual(expected);

      live.exec('BEGIN');
      const parallel = await replayParallel(live, two, registryAllocations);
      live.exec('COMMIT');
      expect(parallel.events).toBe(single.events);
      expect(digestProjections(two.sqlite, live)).toEqual(expected);
      // Each body once, as live: in its event while that is in the log (NULL in the row), so the replayed rows hold what live rows hold.
      const bodies = (db: Database.Database) => db.prepare('SELECT count(*) FROM objects WHERE object IS NOT NULL').pluck().get();
      expect(bodies(one.sqlite)).toBe(bodies(live));
      expect(bodies(two.sqlite)).toBe(bodies(live));
      // Without the log, the scratch's bodies are not there to digest.
      expect(digestProjections(two.sqlite).digest).not.toBe(expected.digest);
    } finally {
      one.dispose();
      two.dispose();
      live.close();
    }
  });

  it('reads the fields projectEvent needs as JSON.parse gives them, for objects of every shape', () => {
    const live = new Database(file, { readonly: true });
    try {
      const rows = live.prepare("SELECT object FROM events WHERE namespace = 'odd' AND type != 'DELETED'").pluck().all() as string[];
      expect(rows).toHaveLength(8);
      // The live path's values, from the object parsed whole, against the replay's from the log.
      const live_ = live.prepare("SELECT node_name, phase, controller_uid FROM objects WHERE namespace = 'odd' ORDER BY name, from_rev").raw(true).all();
      expect(live_).toContainEqual(['nöde-"2"', null, 'owner-2']);
      expect(live_).toContainEqual(['node\\3', 'Running\u2028', null]);
      const labels = live.prepare("SELECT key, value FROM labels WHERE namespace = 'odd' AND name = 'o1' AND to_rev IS NULL ORDER BY key").raw(true).all();
      expect(labels).toContainEqual(['q"uote', 'a\\b"c']);
      expect(labels).toContainEqual(['ünï', 'cödé ☃']);
      expect(labels).toContainEqual(['x\\u0041', '\u00e9']);
    } finally {
      live.close();
    }
  });

  it('parses every object whole when allocationsOf does not name the kinds with allocations, and replays the same rows', async () => {
    const live = new Database(file, { readonly: true });
    const one = openScratchDatabase(tempDir());
    const two = openScratchDatabase(tempDir());
    const plain = (o: KObject) => registryAllocations(o); // no `kinds`
    try {
      const expected = digestProjections(live);
      inReadSnapshot(live, () => replayInto(live, one.sqlite, plain));
      expect(digestProjections(one.sqlite, live)).toEqual(expected);
      live.exec('BEGIN');
      const parallel = await replayParallel(live, two, plain);
      live.exec('COMMIT');
      expect(digestProjections(two.sqlite, live)).toEqual(expected);
    } finally {
      one.dispose();
      two.dispose();
      live.close();
    }
  });
});
