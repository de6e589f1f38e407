/**
 * PostgreSQL refusing a batch after the replica ran it: the writes fail UNAVAILABLE (retryable),
 * and the replica is rewound to where the batch began, so nothing unshipped stays visible or
 * allocated and the next write takes the same revision. The fault: another connection holds a lock
 * the batch needs (as the SQLite tests hold an exclusive lock), past the store's lock timeout.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubeqlError } from '../../server/errors.js';
import type { KObject } from '../../server/resources/kind.js';
import { registryAllocations } from '../../server/store/registry-allocations.js';
import { openPostgresStore, type PostgresStore } from '../../server/store/postgres/create-store.js';
import type { WriteTx } from '../../server/store/types.js';
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

function service(name: string, clusterIP: string): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: name } }, spec: { clusterIP, ports: [{ port: 80 }] } } as unknown as KObject;
}

function createIfFree(tx: WriteTx, object: KObject) {
  if (tx.get(object.kind, object.metadata.namespace ?? '', object.metadata.name)) throw new KubeqlError('CONFLICT', `${object.metadata.name} exists`);
  for (const a of registryAllocations(object)) if (tx.isAllocated(a.pool, a.value)) throw new KubeqlError('CONFLICT', `${a.value} is allocated`);
  return tx.append({ actor: 'test', verb: 'create', type: 'ADDED', object }).revision;
}

describe.skipIf(postgresMissing !== undefined)('a batch PostgreSQL refuses', () => {
  it('fails UNAVAILABLE, and the replica forgets it: no event, no object, no label, no allocation', async () => {
    const url = await postgres!.createDatabase();
    const store = await openPostgresStore({ url, allocationsOf: registryAllocations, lockTimeoutMs: 300 });
    stores.push(store);
    const published: number[] = [];
    store.onCommit((_head, events) => published.push(...events.map((e) => e.revision)));
    await store.write((tx) => createIfFree(tx, service('first', '10.96.0.1')));

    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE allocations IN EXCLUSIVE MODE');
    try {
      const refused = store.write((tx) => createIfFree(tx, service('second', '10.96.0.2')));
      await expect(refused).rejects.toMatchObject({ code: 'UNAVAILABLE', extensions: { retryable: true } });
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    expect(store.head()).toBe(1);
    expect(store.get('Service', 'default', 'second')).toBeUndefined();
    expect(store.list({ kind: 'Service', labelSelector: [{ key: 'app', operator: 'in', values: ['second'] }] }).items).toEqual([]);
    expect(store.readEvents(0, 10).map((e) => e.revision)).toEqual([1]);
    expect(published).toEqual([1]);

    // The value it held is free again and the revision is taken by the next write: no gap.
    expect(await store.write((tx) => createIfFree(tx, service('third', '10.96.0.2')))).toBe(2);
    // A store opened now from PostgreSQL agrees with this replica.
    const fresh = await openPostgresStore({ url, allocationsOf: registryAllocations });
    stores.push(fresh);
    for (const s of [store, fresh]) {
      expect(s.readEvents(0, 10).map((e) => [e.revision, e.name])).toEqual([
        [1, 'first'],
        [2, 'third'],
      ]);
      expect(s.list({ kind: 'Service' }).items.map((o) => o.metadata.name)).toEqual(['first', 'third']);
    }
  });

  it('shows no reader a write the replica ran until PostgreSQL has committed it', async () => {
    const url = await postgres!.createDatabase();
    const store = await openPostgresStore({ url, allocationsOf: registryAllocations });
    stores.push(store);
    await store.write((tx) => createIfFree(tx, service('first', '10.96.0.1')));
    const published: number[] = [];
    store.onCommit((_head, events) => published.push(...events.map((e) => e.revision)));

    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE allocations IN EXCLUSIVE MODE');
    let settled = false;
    const write = store.write((tx) => createIfFree(tx, service('second', '10.96.0.2')));
    void write.then(() => (settled = true));
    try {
      // The batch has run on the replica and waits, in PostgreSQL, for the lock on allocations.
      const deadline = Date.now() + 10_000;
      while ((await blocker.query(`SELECT count(*)::int AS n FROM pg_locks WHERE relation = 'allocations'::regclass AND NOT granted`)).rows[0].n === 0) {
        if (Date.now() > deadline) throw new Error('the batch never reached PostgreSQL');
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(settled).toBe(false);
      expect(store.head()).toBe(1);
      expect(store.get('Service', 'default', 'second')).toBeUndefined();
      expect(store.list({ kind: 'Service' }).items.map((o) => o.metadata.name)).toEqual(['first']);
      expect(store.readEvents(0, 10).map((e) => e.revision)).toEqual([1]);
      expect(store.readAudit({}, 0, 10).events.map((e) => e.revision)).toEqual([1]);
      expect(published).toEqual([]);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    expect(await write).toBe(2);
    expect(store.head()).toBe(2);
    expect(store.get('Service', 'default', 'second')?.metadata.resourceVersion).toBe('2');
    expect(published).toEqual([2]);
  });
});
