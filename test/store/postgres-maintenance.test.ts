/**
 * Maintenance of the PostgreSQL store: compaction in PostgreSQL and in every replica (the other
 * stores learn the floor by NOTIFY), replay verification of the log against the tables, and backup
 * (pg_dump from an exported snapshot) restored into an empty database (pg_restore), checked by replay.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { KObject } from '../../server/resources/kind.js';
import { registryAllocations } from '../../server/store/registry-allocations.js';
import { openPostgresStore, type PostgresStore } from '../../server/store/postgres/create-store.js';
import { restorePostgres } from '../../server/store/postgres/restore.js';
import type { Store } from '../../server/store/types.js';
import type { KubeqlError } from '../../server/errors.js';
import { createWatchEngine } from '../../server/api/watch/watch-engine.js';
import { openLogStream } from '../../server/api/audit/log-stream.js';
import { toAuditFilter } from '../../server/api/audit/filter-input.js';
import { startPausableProxy } from '../support/pausable-proxy.js';
import { postgresMissing, startPostgres, type PostgresServer } from '../support/postgres.js';

let postgres: PostgresServer | undefined;
const stores: PostgresStore[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  if (!postgresMissing) postgres = await startPostgres();
}, 60_000);
afterEach(async () => {
  for (const store of stores.splice(0)) await store.shutdown();
});
afterAll(async () => {
  await postgres?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function open(url: string): Promise<PostgresStore> {
  const store = await openPostgresStore({ url, allocationsOf: registryAllocations });
  stores.push(store);
  return store;
}

function pod(name: string, labels: Record<string, string>): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}`, labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } as unknown as KObject;
}

function service(name: string, clusterIP: string): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { clusterIP, ports: [{ port: 80 }] } } as unknown as KObject;
}

let addresses = 0;

/** Creates, relabels and deletes, with allocations (each Service its own address). */
async function churn(store: Store, rounds: number, tag: string): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await store.write((tx) => tx.append({ actor: 'test', verb: 'create', type: 'ADDED', object: pod(`${tag}-${i}`, { v: '1' }) }));
    await store.write((tx) => {
      const current = tx.get('Pod', 'default', `${tag}-${i}`)!;
      return tx.append({ actor: 'test', verb: 'update', type: 'MODIFIED', object: { ...current, metadata: { ...current.metadata, labels: { v: '2', w: tag } } } });
    });
    await store.write((tx) => tx.append({ actor: 'test', verb: 'create', type: 'ADDED', object: service(`${tag}-svc-${i}`, `10.96.3.${++addresses}`) }));
    if (i % 2 === 0) await store.write((tx) => tx.append({ actor: 'test', verb: 'delete', type: 'DELETED', object: tx.get('Pod', 'default', `${tag}-${i}`)! }));
  }
}

async function count(url: string, query: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query(query)).rows[0].n);
  } finally {
    await client.end();
  }
}

async function until(what: string, ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(postgresMissing !== undefined)('PostgreSQL store maintenance', () => {
  it('compacts in PostgreSQL and in every replica, and the log still replays to the tables', async () => {
    const url = await postgres!.createDatabase();
    const [a, b] = [await open(url), await open(url)];
    await churn(a, 6, 'x');
    // Retention compacts history hours (Leases: minutes) old, which every server has long read.
    await until('the other store to read the log', () => b.head() === a.head());
    const floor = a.head() - 3;
    expect(a.compact(floor)).toBe(floor);
    await a.drain();
    expect(await count(url, `SELECT count(*) AS n FROM events WHERE revision <= ${floor}`)).toBe(0);
    expect(await count(url, `SELECT count(*) AS n FROM objects WHERE to_rev <= ${floor}`)).toBe(0);
    await until('the other store to follow the floor', () => b.floor() === floor);
    expect(() => b.readEvents(floor - 1, 10)).toThrow(/compacted/);
    expect(b.readEvents(floor, 10)).toHaveLength(3);
    // The snapshot at the floor plus the events above it rebuild the same tables, in either store.
    await churn(b, 2, 'y');
    for (const s of [a, b]) {
      const report = await s.replay({ verify: true });
      expect(report.match).toBe(true);
      expect(report.floor).toBe(floor);
    }
  });

  it('backs up with pg_dump while writes go on, and restores into an empty database that replays to the same digest', async () => {
    const url = await postgres!.createDatabase();
    const store = await open(url);
    await churn(store, 5, 'z');
    const dir = mkdtempSync(join(tmpdir(), 'kubeql-pg-backup-'));
    dirs.push(dir);
    const file = join(dir, 'backup.dump');
    const [info] = await Promise.all([store.backup(file), churn(store, 2, 'during')]);
    expect(info.bytes).toBeGreaterThan(0);
    const target = await postgres!.createDatabase();
    const report = await restorePostgres(file, target, registryAllocations);
    expect(report.match).toBe(true);
    expect(report.revision).toBe(info.revision);
    const restored = await open(target);
    expect(restored.head()).toBe(info.revision);
    const at = info.revision;
    expect(restored.list({ kind: 'Pod' }).items.map((p) => p.metadata.name)).toEqual(store.list({ kind: 'Pod', atRevision: at }).items.map((p) => p.metadata.name));
    expect(restored.readEvents(0, 1_000).map((e) => e.revision)).toEqual(store.readEvents(0, 1_000).filter((e) => e.revision <= at).map((e) => e.revision));
    // Refused over a database that holds a cluster already.
    await expect(restorePostgres(file, target, registryAllocations)).rejects.toThrow(/not empty/);
  });

  it('copies afresh a store cut off while the log it had not read was compacted: its watchers end EXPIRED, and it follows the log and takes writes again', async () => {
    const url = await postgres!.createDatabase();
    const a = await open(url);
    const target = new URL(url);
    const proxy = await startPausableProxy(target.hostname, Number(target.port));
    try {
      const behindUrl = new URL(url);
      behindUrl.port = String(proxy.port);
      const b = await open(behindUrl.toString());
      await churn(a, 1, 'before');
      await until('b to read the log', () => b.head() === a.head());
      // A live watcher on b, as its API server's watch engine holds it.
      const engine = createWatchEngine(b);
      const ended: KubeqlError[] = [];
      const seen: number[] = [];
      engine.open({ kind: 'Pod', fromRevision: b.head() }).start({ push: (p) => (seen.push(p.revision), true), end: (e) => ended.push(e) });
      // And a log subscriber waiting for the next entry.
      const log = openLogStream(b, toAuditFilter(undefined), b.head());
      const nextEntry = log.next();
      nextEntry.catch(() => {}); // awaited below
      try {
        proxy.pause();
        await churn(a, 3, 'unseen');
        a.compact(a.head());
        await a.drain();
        const behind = b.head();
        proxy.resume();

        await until('b to copy the database afresh', () => b.head() >= a.head() && b.health().every((c) => c.ok));
        expect(b.floor()).toBe(a.floor());
        expect(b.list({ kind: 'Pod' }).items).toEqual(a.list({ kind: 'Pod' }).items);
        expect(b.list({ kind: 'Service' }).items).toEqual(a.list({ kind: 'Service' }).items);
        // The events it never read are gone: its watcher below the new floor is told so, and got none of them.
        await until('the watcher to end', () => ended.length > 0);
        expect(ended[0]).toMatchObject({ code: 'EXPIRED' });
        expect(seen.every((r) => r <= behind)).toBe(true);
        expect(() => b.readEvents(behind, 10)).toThrow(expect.objectContaining({ code: 'EXPIRED' }));
        await expect(nextEntry).rejects.toMatchObject({ code: 'EXPIRED' });

        // It takes writes again, at the log's head, and the other store sees them.
        const head = b.head();
        const revision = await b.write((tx) => tx.append({ actor: 'test', verb: 'create', type: 'ADDED', object: pod('late', {}) }).revision);
        expect(revision).toBe(head + 1);
        await until('a to read the write', () => a.get('Pod', 'default', 'late') !== undefined);
        // And a new watcher on it follows the log.
        const after: string[] = [];
        engine.open({ kind: 'Pod', fromRevision: b.head() }).start({ push: (p) => (p.object && after.push(p.object.metadata.name), true), end: () => {} });
        await a.write((tx) => tx.append({ actor: 'test', verb: 'create', type: 'ADDED', object: pod('after-copy', {}) }));
        await until('the new watcher to see a write on a', () => after.includes('after-copy'));
      } finally {
        engine.close();
      }
    } finally {
      proxy.resume();
      await proxy.close();
    }
  });

  it('rebuilds the projections in place from the log (replay without verify), and every store takes the rebuilt tables', async () => {
    const url = await postgres!.createDatabase();
    const writer = await open(url);
    await churn(writer, 3, 'r');
    await writer.shutdown();
    // Damaged while no server ran (as a bad restore would leave it): a current version rewritten.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const damaged = await client.query(
        // The body as readers see it: the row's, or while the version's event is in the log, the event's.
        `UPDATE objects SET object = jsonb_set(coalesce(object, (SELECT e.object FROM events e WHERE e.revision = objects.from_rev))::jsonb, '{spec,nodeName}', '"elsewhere"')::text
         WHERE kind = 'Pod' AND namespace = 'default' AND name = 'r-1' AND to_rev IS NULL`,
      );
      expect(damaged.rowCount).toBe(1);
    } finally {
      await client.end();
    }
    const a = await open(url);
    const b = await open(url);
    expect(b.get('Pod', 'default', 'r-1')?.spec).toMatchObject({ nodeName: 'elsewhere' });
    expect((await a.replay({ verify: true })).match).toBe(false);

    // A watcher on b, live through the rebuild: the log is whole, so it goes on without a gap.
    const engine = createWatchEngine(b);
    const from = b.head();
    const delivered: number[] = [];
    const ended: KubeqlError[] = [];
    engine.open({ kind: 'Pod', fromRevision: from }).start({ push: (p) => (p.type !== 'BOOKMARK' && delivered.push(p.revision), true), end: (e) => ended.push(e) });
    onTestFinished(() => engine.close());

    const report = await a.replay({ verify: false });
    expect(report).toMatchObject({ match: false, firstDifference: { table: 'objects', kind: 'Pod', namespace: 'default', name: 'r-1' } });
    expect(report.digest).not.toBe(report.liveDigest);
    // The rebuilding store reads the rebuilt tables at once; the other copies them on the NOTIFY.
    expect(a.get('Pod', 'default', 'r-1')?.spec).not.toHaveProperty('nodeName');
    await until('b to copy the rebuilt tables', () => (b.get('Pod', 'default', 'r-1')?.spec as { nodeName?: string } | undefined)?.nodeName === undefined);
    expect((await a.replay({ verify: true })).match).toBe(true);
    // The rebuilt rows hold no body their event holds: each version is stored once.
    expect(await count(url, `SELECT count(*) AS n FROM objects o WHERE o.object IS NOT NULL AND EXISTS (SELECT 1 FROM events e WHERE e.revision = o.from_rev)`)).toBe(0);
    expect(await a.replay({ verify: false })).toMatchObject({ match: true });
    // Both go on writing on the rebuilt tables.
    await churn(b, 1, 'after');
    await churn(a, 1, 'again');
    await until('a and b to meet', () => a.head() === b.head());
    expect(a.list({ kind: 'Pod' }).items).toEqual(b.list({ kind: 'Pod' }).items);
    expect((await b.replay({ verify: true })).match).toBe(true);
    const podEvents = b.readEvents(from, 1_000).filter((e) => e.kind === 'Pod').map((e) => e.revision);
    await until('the watcher to have every pod event', () => delivered.length >= podEvents.length);
    expect(ended).toEqual([]);
    expect(delivered).toEqual(podEvents);
  });
});
