/**
 * A store whose write batch waits for the log's head row lock (other servers hold it in turn) reads
 * and applies the commits they announce meanwhile, outside its serial queue: its watchers see them
 * without waiting for its own turn, and the batch, once it holds the lock, reads only what is left.
 * The lock queue is made deterministic with plain PostgreSQL sessions holding the head row.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubeqlError } from '../../server/errors.js';
import type { KObject } from '../../server/resources/kind.js';
import { registryAllocations } from '../../server/store/registry-allocations.js';
import { createClient } from '../../server/store/postgres/connect.js';
import { openPostgresStore, type PostgresStore } from '../../server/store/postgres/create-store.js';
import { changesAfter } from '../../server/store/postgres/group-commit.js';
import { readChangesAfter } from '../../server/store/postgres/read-changes.js';
import type { ReplicaChanges } from '../../server/store/sqlite/replica.js';
import type { StoredEvent, WriteTx } from '../../server/store/types.js';
import { postgresMissing, startPostgres, type PostgresServer } from '../support/postgres.js';
import { settled, until } from '../support/settling.js';

let postgres: PostgresServer | undefined;
const stores: PostgresStore[] = [];
const sessions: pg.Client[] = [];

beforeAll(async () => {
  if (!postgresMissing) postgres = await startPostgres();
}, 60_000);
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.end().catch(() => {});
  for (const store of stores.splice(0)) await store.shutdown();
});
afterAll(async () => {
  await postgres?.stop();
});

async function openStore(url: string): Promise<PostgresStore> {
  // The healing timer far off: what a store learns of the others here comes by NOTIFY. The lock
  // timeout far off too: a batch here waits for the lock while the test holds it.
  const store = await openPostgresStore({ url, allocationsOf: registryAllocations, healEveryMs: 600_000, lockTimeoutMs: 120_000 });
  stores.push(store);
  return store;
}

async function session(url: string): Promise<pg.Client> {
  const client = createClient(url);
  await client.connect();
  sessions.push(client);
  return client;
}

function service(name: string, clusterIP: string, labels: Record<string, string>): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: `uid-${name}`, labels }, spec: { clusterIP, ports: [{ port: 80 }] } } as unknown as KObject;
}

function create(tx: WriteTx, object: KObject): number {
  if (tx.get(object.kind, object.metadata.namespace ?? '', object.metadata.name)) throw new KubeqlError('CONFLICT', `${object.metadata.name} exists`);
  return tx.append({ actor: 'test', verb: 'create', type: 'ADDED', object }).revision;
}

function relabel(tx: WriteTx, name: string, labels: Record<string, string>): number {
  const current = tx.get('Service', 'default', name)!;
  return tx.append({ actor: 'test', verb: 'update', type: 'MODIFIED', object: { ...current, metadata: { ...current.metadata, labels } } as KObject }).revision;
}

function remove(tx: WriteTx, name: string): number {
  return tx.append({ actor: 'test', verb: 'delete', type: 'DELETED', object: tx.get('Service', 'default', name)! }).revision;
}

/** How many sessions of the database wait for a lock (the head row's, here). */
async function lockWaiters(observer: pg.Client): Promise<number> {
  const { rows } = await observer.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
  return rows[0].n;
}

/** The rows of a page in a fixed order (json_agg does not promise one for the projections). */
function sorted(changes: ReplicaChanges): ReplicaChanges {
  const by = (row: object) => JSON.stringify(Object.entries(row).sort(([a], [b]) => a.localeCompare(b)));
  const order = <T extends object>(rows: T[]) => [...rows].sort((x, y) => by(x).localeCompare(by(y)));
  return { events: changes.events, objects: order(changes.objects), labels: order(changes.labels), allocations: order(changes.allocations) };
}

describe.skipIf(postgresMissing !== undefined)('a write batch waiting for the head lock', () => {
  it("applies and publishes other stores' commits while it waits, then commits after them", async () => {
    // PostgreSQL does not promise in which order a row lock's waiters get it once its holder ends:
    // when b's batch took it before the second session, the queue is arranged again on a fresh database.
    for (let attempt = 1; ; attempt++) {
      const url = await postgres!.createDatabase();
      const a = await openStore(url);
      const b = await openStore(url);
      await a.write((tx) => create(tx, service('base', '10.96.0.1', { app: 'base' })));
      await until('b at the head', () => b.head() === 1);
      const seenByB: StoredEvent[] = [];
      b.onCommit((_head, events) => seenByB.push(...events));
      const observer = await session(url);
      const first = await session(url);
      const second = await session(url);

      // The head row's lock queue, in order: a session holds it; a's batch; a second session; b's batch.
      await first.query('BEGIN; SELECT head FROM log_head WHERE id = 1 FOR UPDATE');
      const aWrites = a.write((tx) => [relabel(tx, 'base', { app: 'base', tier: 'db' }), create(tx, service('from-a', '10.96.0.2', { app: 'a' }))]);
      await until('a waiting for the lock', async () => (await lockWaiters(observer)) === 1);
      const secondLocked = second.query('BEGIN; SELECT head FROM log_head WHERE id = 1 FOR UPDATE');
      await until('the second session waiting', async () => (await lockWaiters(observer)) === 2);
      const bWrite = b.write((tx) => create(tx, service('from-b', '10.96.0.3', { app: 'b' })));
      await until('b waiting for the lock', async () => (await lockWaiters(observer)) === 3);

      // a commits; the second session takes the lock next, so b's batch goes on waiting.
      await first.query('COMMIT');
      expect(await aWrites).toEqual([2, 3]);
      // Both may have had the lock by the time this turn runs (b's batch first, then the second
      // session): then the race names either, and only b's batch being settled tells the order.
      const next = await Promise.race([secondLocked.then(() => 'second'), bWrite.then(() => 'b')]);
      const bFirst = next === 'b' || (await settled(bWrite));
      if (bFirst && attempt < 5) {
        await secondLocked;
        await second.query('COMMIT');
        await bWrite.catch(() => {});
        continue;
      }
      expect(next).toBe('second');
      await until("b to apply a's commit while its batch waits", () => b.head() === 3);
      expect(await settled(bWrite)).toBe(false);
      expect(seenByB.map((e) => [e.revision, e.name])).toEqual([
        [2, 'base'],
        [3, 'from-a'],
      ]);
      // b's replica serves a's commit already: the relabel and the new object.
      expect(b.get('Service', 'default', 'base')?.metadata.labels).toEqual({ app: 'base', tier: 'db' });
      expect(b.get('Service', 'default', 'from-a')?.metadata.uid).toBe('uid-from-a');

      await second.query('COMMIT');
      expect(await bWrite).toBe(4);
      expect(seenByB.map((e) => e.revision)).toEqual([2, 3, 4]);
      await until('a at the head', () => a.head() === 4);
      const log = [
        [1, 'base'],
        [2, 'base'],
        [3, 'from-a'],
        [4, 'from-b'],
      ];
      for (const s of [a, b]) expect(s.readEvents(0, 100).map((e) => [e.revision, e.name])).toEqual(log);
      return;
    }
  });

  it("publishes others' commits read under the lock once its batch is sent, in log order before the batch's own", async () => {
    const url = await postgres!.createDatabase();
    const a = await openStore(url);
    const b = await openStore(url);
    // b's replica as another reader sees it: the rows its batch wrote and has not published yet.
    const replica = new Database(b.replicaFile, { readonly: true });
    const replicaHead = replica.prepare('SELECT coalesce(max(revision), 0) AS head FROM events');
    const own = new Set<number>();
    const seenByB: number[] = [];
    let heldBack = 0;
    b.onCommit((head, events) => {
      seenByB.push(...events.map((e) => e.revision));
      // Others' commits published while b's replica already holds its next batch: they were read
      // under the lock and published after the batch was run and sent, not before.
      if (events.some((e) => !own.has(e.revision)) && (replicaHead.get() as { head: number }).head > head) heldBack++;
    });
    try {
      // Both stores write at once, round after round, so b's batches often find a's commits under the lock.
      let n = 0;
      for (let round = 0; round < 400 && heldBack < 3; round++) {
        const writes = [a, b, a, b, a, b].map((s) => {
          const i = n++;
          const object = service(`s-${i}`, `10.97.${Math.floor(i / 250)}.${(i % 250) + 1}`, { app: `s-${i}` });
          const done = s.write((tx) => create(tx, object));
          return s === b ? done.then((revision) => void own.add(revision)) : done;
        });
        await Promise.all(writes);
      }
      expect(heldBack).toBeGreaterThan(0);
      await until('b at the head', () => b.head() === a.head());
      // Every event once, in log order, with no gap: the held-back runs came before b's own events.
      expect(seenByB).toEqual(Array.from({ length: b.head() }, (_, i) => i + 1));
    } finally {
      replica.close();
    }
  }, 120_000);

  it('cuts a page of changes to what lies after a later revision exactly as PostgreSQL reads it from there', async () => {
    const url = await postgres!.createDatabase();
    const a = await openStore(url);
    // Versions opened and closed, labels changed and removed, allocations taken, freed and taken again.
    await a.write((tx) => create(tx, service('s1', '10.96.1.1', { app: 's1', tier: 'web' })));
    await a.write((tx) => create(tx, service('s2', '10.96.1.2', { app: 's2' })));
    await a.write((tx) => relabel(tx, 's1', { app: 's1', tier: 'db', extra: 'x' }));
    await a.write((tx) => [remove(tx, 's2'), create(tx, service('s3', '10.96.1.2', { app: 's3' }))]);
    await a.write((tx) => relabel(tx, 's1', { app: 's1' }));
    await a.write((tx) => [remove(tx, 's1'), create(tx, service('s1', '10.96.1.1', { app: 's1', v: '2' }))]);
    await a.write((tx) => relabel(tx, 's3', { app: 's3', tier: 'web' }));
    const head = a.head();
    expect(head).toBe(9);
    const client = await session(url);
    for (let from = 0; from < head; from++) {
      const page = await readChangesAfter(client, from, 1_000);
      for (let later = from; later <= head; later++) {
        const direct = await readChangesAfter(client, later, 1_000);
        expect(sorted(changesAfter(page, later)), `read after ${from}, cut after ${later}`).toEqual(sorted(direct));
      }
    }
  });
});
