/**
 * Migration 0008 rebuilds `events` without AUTOINCREMENT: the head is read from the log (log-head.ts),
 * not from sqlite_sequence, which every append used to write. A database written by the schema
 * before it (migrations up to 0007, whose AUTOINCREMENT kept the head in sqlite_sequence), with its
 * newest event compacted away by a kind's floor, opens with the same head and the same events, the
 * next append follows that head, and the pod-node index of the rebuilt table still serves its reads.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import type { KObject } from '../../server/resources/kind.js';
import { registryAllocations } from '../../server/store/registry-allocations.js';
import { compactBelow, compactKindBelow } from '../../server/store/sqlite/compact.js';
import { createStore } from '../../server/store/sqlite/create-store.js';
import { readLogHead } from '../../server/store/sqlite/log-head.js';
import { prepareStatements } from '../../server/store/sqlite/statements.js';
import { createWriteTx } from '../../server/store/sqlite/write-transaction.js';
import type { StoredEvent } from '../../server/store/types.js';
import { migrationsBefore } from '../support/migrations-before.js';

const root = mkdtempSync(join(tmpdir(), 'kubeql-head-migration-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const pod = (name: string, nodeName?: string): KObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'nginx' }] } }) as unknown as KObject;
const lease = (renewTime: string): KObject =>
  ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1', namespace: 'kube-node-lease', uid: 'uid-lease' }, spec: { holderIdentity: 'n1', renewTime } }) as unknown as KObject;

describe('migration 0008: the head from the log', () => {
  it('keeps the head, the events and the pod-node index of a database written before it', async () => {
    const dataDir = join(root, 'data');
    mkdirSync(dataDir);
    // The schema before 0008, written as the store wrote it: revisions 1-5, the last a Lease renewal.
    const old = new Database(join(dataDir, 'kubeql.db'));
    old.pragma('journal_mode = WAL');
    const oldDb = drizzle(old);
    migrate(oldDb, { migrationsFolder: migrationsBefore(8, root) });
    expect(old.prepare("SELECT sql FROM sqlite_master WHERE name = 'events'").pluck().get()).toMatch(/AUTOINCREMENT/);
    const st = prepareStatements(oldDb, old);
    const counter = { head: 0, ts: 0 };
    for (const o of [pod('p1'), pod('p2', 'n1'), lease('2026-01-01T00:00:00Z'), pod('p3', 'n1'), lease('2026-01-01T00:00:10Z')])
      old.transaction(() => {
        const tx = createWriteTx(st, counter, registryAllocations, [] as StoredEvent[]);
        const previous = tx.get(o.kind, o.metadata.namespace ?? '', o.metadata.name);
        tx.append({ actor: 'test', verb: previous ? 'update' : 'create', type: previous ? 'MODIFIED' : 'ADDED', object: o });
      })();
    // The log compacted below 2, the Leases up to the head: the newest event (5) is gone.
    compactBelow(old, 2);
    compactKindBelow(old, 'Lease', 2, 5);
    expect(old.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").pluck().get()).toBe(5);
    expect(old.prepare('SELECT revision FROM events ORDER BY revision').pluck().all()).toEqual([4]);
    const before = old.prepare('SELECT * FROM events ORDER BY revision').all();
    old.close();

    const store = createStore({ dataDir, synchronous: 'NORMAL', allocationsOf: registryAllocations });
    try {
      expect(store.head()).toBe(5);
      const reader = new Database(join(dataDir, 'kubeql.db'), { readonly: true });
      try {
        expect(reader.prepare("SELECT sql FROM sqlite_master WHERE name = 'events'").pluck().get()).not.toMatch(/AUTOINCREMENT/);
        expect(reader.prepare("SELECT count(*) FROM sqlite_sequence WHERE name = 'events'").pluck().get()).toBe(0);
        expect(reader.prepare('SELECT * FROM events ORDER BY revision').all()).toEqual(before);
        // The rebuilt table's pod-node index: its expression, and the store's read of one node's pods on it.
        expect(reader.prepare("SELECT sql FROM sqlite_master WHERE name = 'events_pod_node'").pluck().get()).toMatch(/"object" ->> '\$\.spec\.nodeName'/);
        expect(store.readNodePodEvents(2, 100, 10, 'n1').map((e) => [e.revision, e.name])).toEqual([[4, 'p3']]);

        // The next append follows the head that was compacted away, and is then the head itself.
        const next = await store.write((tx) => tx.append({ actor: 'test', verb: 'create', type: 'ADDED', object: pod('p4', 'n1') }));
        expect(next.revision).toBe(6);
        expect(store.head()).toBe(6);
        expect(readLogHead(reader)).toBe(6);
        expect(store.readNodePodEvents(2, 100, 10, 'n1').map((e) => e.revision)).toEqual([4, 6]);
        // Nothing of the log's head is written by an append any more.
        expect(reader.prepare("SELECT count(*) FROM sqlite_sequence WHERE name = 'events'").pluck().get()).toBe(0);
      } finally {
        reader.close();
      }
    } finally {
      store.close();
    }
  });

  it('reads the head of an empty log, of a log compacted to its head, and of a replica given its head', () => {
    const db = new Database(':memory:');
    db.exec("CREATE TABLE events (revision integer PRIMARY KEY NOT NULL); CREATE TABLE store_meta (key text PRIMARY KEY NOT NULL, value text NOT NULL)");
    expect(readLogHead(db)).toBe(0);
    db.exec('INSERT INTO events VALUES (3), (7)');
    expect(readLogHead(db)).toBe(7);
    // A kind's floor above the newest event (its events compacted to the head), and the log's floor below it.
    db.exec("INSERT INTO store_meta VALUES ('floor', '2'), ('floor:Lease', '9')");
    expect(readLogHead(db)).toBe(9);
    db.exec("INSERT INTO store_meta VALUES ('head', '12')");
    expect(readLogHead(db)).toBe(12);
    // Keys that merely look alike count for nothing.
    db.exec("INSERT INTO store_meta VALUES ('floors', '50'), ('xfloor:Lease', '60'), ('heads', '70')");
    expect(readLogHead(db)).toBe(12);
    db.close();
  });
});
