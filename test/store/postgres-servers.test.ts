/**
 * Several stores (as several API servers would hold them) on one PostgreSQL database, in one test
 * process: writers on each at once, and every store's onCommit stream must equal the log in
 * PostgreSQL (gap-free, in revision order, no duplicates); an allocation raced from two stores has
 * exactly one winner; a store opened late starts from a copy of the database and follows on.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubeqlError } from '../../server/errors.js';
import type { KObject } from '../../server/resources/kind.js';
import { registryAllocations } from '../../server/store/registry-allocations.js';
import { createClient } from '../../server/store/postgres/connect.js';
import { openPostgresStore, type PostgresStore } from '../../server/store/postgres/create-store.js';
import type { StoredEvent, WriteTx } from '../../server/store/types.js';
import { postgresMissing, startPostgres, type PostgresServer } from '../support/postgres.js';

let postgres: PostgresServer | undefined;
const stores: PostgresStore[] = [];

beforeAll(async () => {
  if (!postgresMissing) postgres = await startPostgres();
}, 60_000);
afterEach(async () => {
  for (const store of stores.splice(0)) await store.shutdown();
});
afterAll(async () => {
  await postgres?.stop();
});

async function openStores(url: string, n: number): Promise<PostgresStore[]> {
  // The healing timer far off: what the stores learn of each other here comes by NOTIFY.
  const opened = await Promise.all(Array.from({ length: n }, () => openPostgresStore({ url, allocationsOf: registryAllocations, healEveryMs: 600_000 })));
  stores.push(...opened);
  return opened;
}

function pod(name: string, labels: Record<string, string> = {}): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}`, labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } as unknown as KObject;
}

function service(name: string, clusterIP: string): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { clusterIP, ports: [{ port: 80 }] } } as unknown as KObject;
}

function createIfFree(tx: WriteTx, object: KObject) {
  if (tx.get(object.kind, object.metadata.namespace ?? '', object.metadata.name)) throw new KubeqlError('CONFLICT', `${object.metadata.name} exists`);
  for (const a of registryAllocations(object)) if (tx.isAllocated(a.pool, a.value)) throw new KubeqlError('CONFLICT', `${a.value} is allocated`);
  return tx.append({ actor: 'test', verb: 'create', type: 'ADDED', object }).revision;
}

/** A change of the shared object `counter`: its label counts the writes, whichever store wrote them. */
function bump(tx: WriteTx, writer: string) {
  const current = tx.get('Pod', 'default', 'counter')!;
  const n = Number(current.metadata.labels?.n ?? '0') + 1;
  return tx.append({ actor: writer, verb: 'update', type: 'MODIFIED', object: { ...current, metadata: { ...current.metadata, labels: { n: String(n) } } } }).revision;
}

async function logOf(url: string): Promise<Array<[number, string, string]>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ revision: string; name: string; type: string }>('SELECT revision, name, type FROM events ORDER BY revision');
    return rows.map((r) => [Number(r.revision), r.name, r.type]);
  } finally {
    await client.end();
  }
}

/** The projection tables and the log of PostgreSQL, and of a replica's SQLite file, as sorted rows (the same columns in both). */
const TABLES: Record<string, string> = {
  events: 'SELECT revision, ts, actor, verb, type, kind, namespace, name, uid, prev_revision, object, request_id FROM events ORDER BY revision',
  objects: 'SELECT kind, namespace, name, from_rev, to_rev, uid, node_name, phase, controller_uid, object FROM objects ORDER BY kind, namespace, name, from_rev',
  labels: 'SELECT kind, namespace, name, key, value, from_rev, to_rev FROM labels ORDER BY kind, namespace, name, key, from_rev',
  allocations: 'SELECT pool, value, kind, namespace, name FROM allocations ORDER BY pool, value',
};

async function tablesOf(url: string): Promise<Record<string, unknown[]>> {
  // The store's own connection settings: 64-bit integers as numbers, as the replica holds them.
  const client = createClient(url);
  await client.connect();
  try {
    const out: Record<string, unknown[]> = {};
    for (const [table, query] of Object.entries(TABLES)) out[table] = (await client.query(query)).rows.map((row) => Object.values(row));
    return out;
  } finally {
    await client.end();
  }
}

function replicaTables(store: PostgresStore): Record<string, unknown[]> {
  const db = new Database(store.replicaFile, { readonly: true, fileMustExist: true });
  try {
    return Object.fromEntries(Object.entries(TABLES).map(([table, query]) => [table, db.prepare(query).raw().all()]));
  } finally {
    db.close();
  }
}

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(postgresMissing !== undefined)('several stores on one PostgreSQL log', () => {
  it('gives every store the log as its onCommit stream while writers on each store run at once', async () => {
    const url = await postgres!.createDatabase();
    const [a, b, c] = await openStores(url, 3);
    const streams = new Map<PostgresStore, StoredEvent[]>();
    for (const s of [a, b, c]) {
      const seen: StoredEvent[] = [];
      streams.set(s, seen);
      s.onCommit((_head, events) => seen.push(...events));
    }
    await a.write((tx) => createIfFree(tx, pod('counter')));
    // Each store: distinct creates and bumps of one shared object, many in flight at once.
    const writers = [a, b, c].flatMap((s, i) =>
      Array.from({ length: 60 }, (_, j) => (j % 2 === 0 ? s.write((tx) => createIfFree(tx, pod(`p-${i}-${j}`))) : s.write((tx) => bump(tx, `writer-${i}`)))),
    );
    await Promise.all(writers);
    const log = await logOf(url);
    const head = log.length;
    expect(log.map(([revision]) => revision)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    expect(head).toBe(1 + 180);
    await until('every store at the head', () => [a, b, c].every((s) => s.head() === head));
    for (const s of [a, b, c]) {
      expect(streams.get(s)!.map((e) => [e.revision, e.name, e.type])).toEqual(log);
      // Every replica agrees on the shared object: 90 bumps, in whatever order they committed.
      expect(s.get('Pod', 'default', 'counter')?.metadata.labels).toEqual({ n: '90' });
      expect(s.readEvents(0, 1_000).map((e) => e.revision)).toEqual(log.map(([revision]) => revision));
    }
  });

  it("copies other stores' commits row for row: every replica's log and tables equal PostgreSQL's", async () => {
    const url = await postgres!.createDatabase();
    const [a, b, c] = await openStores(url, 3);
    const labelled = (object: KObject, labels: Record<string, string>) => ({ ...object, metadata: { ...object.metadata, labels } }) as KObject;
    // Services hold allocations; each store creates, relabels (a label changed, one removed, one
    // added), deletes, and creates again on an address another store freed: versions opened and
    // closed, label rows opened and closed, allocations freed and taken, across servers.
    await Promise.all(
      [a, b, c].map(async (s, i) => {
        for (let j = 0; j < 6; j++) {
          const name = `svc-${i}-${j}`;
          await s.write((tx) => createIfFree(tx, labelled(service(name, `10.96.${i}.${j}`), { app: name, tier: 'web', keep: 'yes' })));
          await s.write((tx) => {
            const current = tx.get('Service', 'default', name)!;
            return tx.append({ actor: 'test', verb: 'update', type: 'MODIFIED', object: labelled(current, { app: name, tier: 'db', extra: String(j) }) }).revision;
          });
          if (j % 2 === 0) {
            await s.write((tx) => tx.append({ actor: 'test', verb: 'delete', type: 'DELETED', object: tx.get('Service', 'default', name)! }).revision);
          }
        }
      }),
    );
    // Addresses the other stores freed, taken again.
    await until('every store at the head', () => new Set([a, b, c].map((s) => s.head())).size === 1);
    for (const [s, from] of [[a, 1], [b, 2], [c, 0]] as const) await s.write((tx) => createIfFree(tx, service(`again-${from}`, `10.96.${from}.0`)));
    await Promise.all([a, b, c].map((s) => s.write((tx) => createIfFree(tx, pod(`last-${s === a ? 'a' : s === b ? 'b' : 'c'}`, { n: '1' })))));
    const expected = await tablesOf(url);
    expect(expected.events).toHaveLength(3 * (6 + 6 + 3) + 3 + 3);
    expect(expected.allocations.length).toBeGreaterThan(0);
    await until('every store at the head', () => [a, b, c].every((s) => s.head() === expected.events.length));
    for (const s of [a, b, c]) expect(replicaTables(s)).toEqual(expected);
  });

  it("follows a large commit of another store page by page, publishing each page as it is applied, in log order and row for row", async () => {
    const url = await postgres!.createDatabase();
    const [a, b] = await openStores(url, 2);
    const runs: Array<[number, number[]]> = [];
    b.onCommit((head, events) => runs.push([head, events.map((e) => e.revision)]));
    // One commit of 350 events on a (creates, relabels and deletes, services holding addresses), then one more.
    await a.write((tx) => {
      for (let i = 0; i < 150; i++) createIfFree(tx, service(`big-${i}`, `10.98.${Math.floor(i / 200)}.${(i % 200) + 1}`));
      for (let i = 0; i < 150; i++) {
        const current = tx.get('Service', 'default', `big-${i}`)!;
        tx.append({ actor: 'test', verb: 'update', type: 'MODIFIED', object: { ...current, metadata: { ...current.metadata, labels: { n: String(i) } } } as KObject });
      }
      for (let i = 0; i < 50; i++) tx.append({ actor: 'test', verb: 'delete', type: 'DELETED', object: tx.get('Service', 'default', `big-${i}`)! });
    });
    await a.write((tx) => createIfFree(tx, pod('after')));
    await until('b at the head', () => b.head() === 351);
    // Several runs, not the whole commit at once: its first events reach b's watchers before its last are read.
    expect(runs.length).toBeGreaterThan(2);
    expect(runs.flatMap(([, revisions]) => revisions)).toEqual(Array.from({ length: 351 }, (_, i) => i + 1));
    for (const [head, revisions] of runs) expect(head).toBe(revisions.at(-1));
    expect(replicaTables(b)).toEqual(await tablesOf(url));
  });

  it('lets exactly one of two stores allocate a value they race for', async () => {
    const url = await postgres!.createDatabase();
    const [a, b] = await openStores(url, 2);
    for (let round = 0; round < 10; round++) {
      const ip = `10.96.1.${round}`;
      const results = await Promise.allSettled([a.write((tx) => createIfFree(tx, service(`a-${round}`, ip))), b.write((tx) => createIfFree(tx, service(`b-${round}`, ip)))]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(loser.reason).toMatchObject({ code: 'CONFLICT' });
    }
    const log = await logOf(url);
    expect(log).toHaveLength(10);
  });

  it('starts a store late from a copy of the database, and it follows the others from there', async () => {
    const url = await postgres!.createDatabase();
    const [a] = await openStores(url, 1);
    for (let i = 0; i < 20; i++) await a.write((tx) => createIfFree(tx, pod(`early-${i}`, { batch: 'early' })));
    const [late] = await openStores(url, 1);
    expect(late.head()).toBe(20);
    expect(late.list({ kind: 'Pod', namespace: 'default' }).items).toHaveLength(20);
    const seen: number[] = [];
    late.onCommit((_head, events) => seen.push(...events.map((e) => e.revision)));
    await a.write((tx) => createIfFree(tx, pod('after')));
    await until('the late store to see the new pod', () => late.get('Pod', 'default', 'after') !== undefined);
    expect(seen).toEqual([21]);
    // And its own writes land after the others', in one order.
    expect(await late.write((tx) => createIfFree(tx, pod('from-late')))).toBe(22);
    await until('the first store to see it', () => a.head() === 22);
    expect(a.get('Pod', 'default', 'from-late', 22)?.metadata.resourceVersion).toBe('22');
  });

  it('reads, under the lock, a commit it was never told of after writing alone, and writes after it', async () => {
    const url = await postgres!.createDatabase();
    const [a] = await openStores(url, 1);
    const seen: number[] = [];
    a.onCommit((_head, events) => seen.push(...events.map((e) => e.revision)));
    // Alone, its batches stop reading others' changes in their first round trip.
    for (let i = 0; i < 3; i++) expect(await a.write((tx) => createIfFree(tx, pod(`alone-${i}`)))).toBe(i + 1);
    // Another writer's commit, with no NOTIFY (the healing timer is 10 minutes off): only the head row tells.
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      const object = JSON.stringify({ ...pod('from-other'), metadata: { ...pod('from-other').metadata, resourceVersion: '4' } });
      await other.query(`BEGIN; SELECT head FROM log_head WHERE id = 1 FOR UPDATE;
        INSERT INTO events (revision, ts, actor, verb, type, kind, namespace, name, uid, prev_revision, object) VALUES (4, ${Date.now()}, 'other', 'create', 'ADDED', 'Pod', 'default', 'from-other', 'uid-from-other', NULL, $j$${object}$j$);
        INSERT INTO objects (kind, namespace, name, from_rev, to_rev, uid) VALUES ('Pod', 'default', 'from-other', 4, NULL, 'uid-from-other');
        UPDATE log_head SET head = 4 WHERE id = 1; COMMIT`);
    } finally {
      await other.end();
    }
    expect(a.head()).toBe(3);
    // Its next write finds the head moved, reads the commit, and lands after it.
    expect(await a.write((tx) => createIfFree(tx, pod('after-other')))).toBe(5);
    expect(a.get('Pod', 'default', 'from-other')?.metadata.resourceVersion).toBe('4');
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(replicaTables(a)).toEqual(await tablesOf(url));
    // A create of the other's name is refused, decided on the state it read.
    await expect(a.write((tx) => createIfFree(tx, pod('from-other')))).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('refuses, in every store, a create of a name another store created (the lock decides against the true head)', async () => {
    const url = await postgres!.createDatabase();
    const [a, b] = await openStores(url, 2);
    await a.write((tx) => createIfFree(tx, pod('shared')));
    // b has not necessarily heard of it yet: its write catches up inside the lock first.
    await expect(b.write((tx) => createIfFree(tx, pod('shared')))).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await logOf(url)).toHaveLength(1);
  });

  it('shares issued credentials: a token saved or revoked on one store is found so on the other', async () => {
    const url = await postgres!.createDatabase();
    const [a, b] = await openStores(url, 2);
    a.tokens.save({ tokenHash: 'hash-1', tokenId: 'id-1', identity: 'system:node:n1', groups: ['system:nodes'], createdAt: 1, expiresAt: null, issuedBy: 'admin', boundNamespace: null, boundName: null, boundUid: null });
    expect(a.tokens.find('hash-1')?.identity).toBe('system:node:n1');
    await until('b to find the token', () => b.tokens.find('hash-1') !== undefined);
    expect(b.tokens.find('hash-1')).toMatchObject({ identity: 'system:node:n1', groups: ['system:nodes'], revokedAt: null });
    expect(b.tokens.revoke('id-1', 'admin', 5)).toBe(true);
    await until('a to see the revocation', () => a.tokens.find('hash-1')?.revokedAt === 5);
    await until('both records to agree', () => a.tokens.events({ afterId: 0, limit: 10 }).length === 2 && b.tokens.events({ afterId: 0, limit: 10 }).length === 2);
    expect(a.tokens.events({ afterId: 0, limit: 10 })).toEqual(b.tokens.events({ afterId: 0, limit: 10 }));
    expect(a.tokens.events({ afterId: 0, limit: 10 }).map((e) => e.action)).toEqual(['issue', 'revoke']);
  });
});
