/**
 * The store contract, run against both backends: SQLite (the embedded default) and PostgreSQL (a
 * real server started for this file, a fresh database per test). Append, CONFLICT leaves the log
 * unchanged, idempotency, allocations unique, atRevision, history, audit, readEvents order, one kind's
 * and one node's events.
 */
import { describe, expect, it } from 'vitest';
import { KubeqlError } from '../../server/errors.js';
import type { KObject } from '../../server/resources/kind.js';
import { registryAllocations } from '../../server/store/registry-allocations.js';
import { openPostgresStore } from '../../server/store/postgres/create-store.js';
import { createStore } from '../../server/store/sqlite/create-store.js';
import type { Store, WriteTx } from '../../server/store/types.js';
import { postgresMissing } from '../support/postgres.js';
import { storeFixtures } from '../support/store-fixtures.js';

const fixtures = storeFixtures('contract');

const backends: Array<{ name: string; skip?: string; open(): Promise<Store> }> = [
  {
    name: 'sqlite',
    async open() {
      const dataDir = fixtures.dataDir();
      const store = createStore({ dataDir, synchronous: 'NORMAL', allocationsOf: registryAllocations });
      fixtures.closeAfterTest(async () => store.close());
      return store;
    },
  },
  {
    name: 'postgres',
    skip: postgresMissing,
    async open() {
      const store = await openPostgresStore({ url: await fixtures.database(), allocationsOf: registryAllocations });
      fixtures.closeAfterTest(() => store.shutdown());
      return store;
    },
  },
];

function pod(name: string, labels: Record<string, string> = {}): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}`, labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } as unknown as KObject;
}

function service(name: string, clusterIP: string): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { clusterIP, ports: [{ port: 80 }] } } as unknown as KObject;
}

/** A create as the verbs do it: refused when the object exists or a value it holds is taken. */
function create(tx: WriteTx, object: KObject, requestId?: string) {
  if (requestId) {
    const earlier = tx.eventsForRequest('test', requestId);
    if (earlier.length) return earlier[0];
  }
  if (tx.get(object.kind, object.metadata.namespace ?? '', object.metadata.name)) throw new KubeqlError('CONFLICT', `${object.metadata.name} exists`);
  for (const a of registryAllocations(object)) if (tx.isAllocated(a.pool, a.value)) throw new KubeqlError('CONFLICT', `${a.value} is allocated`);
  return tx.append({ actor: 'test', verb: 'create', type: 'ADDED', object, requestId });
}

/** An update with a resourceVersion precondition. */
function update(tx: WriteTx, object: KObject, resourceVersion: string) {
  const current = tx.get(object.kind, object.metadata.namespace ?? '', object.metadata.name);
  if (!current || current.metadata.resourceVersion !== resourceVersion) throw new KubeqlError('CONFLICT', 'resourceVersion differs');
  return tx.append({ actor: 'test', verb: 'update', type: 'MODIFIED', object: { ...object, metadata: { ...object.metadata } } });
}

describe.each(backends)('store contract on $name', (backend) => {
  describe.skipIf(backend.skip !== undefined)(backend.skip ?? 'available', () => {
    it('appends, reads back by key, lists and reads events in revision order', async () => {
      const store = await backend.open();
      const seen: number[] = [];
      store.onCommit((_head, events) => seen.push(...events.map((e) => e.revision)));
      const revisions = await Promise.all(['a', 'b', 'c'].map((n) => store.write((tx) => create(tx, pod(n, { app: n })).revision)));
      expect(revisions).toEqual([1, 2, 3]);
      expect(store.head()).toBe(3);
      expect(store.get('Pod', 'default', 'b')?.metadata.resourceVersion).toBe('2');
      expect(store.list({ kind: 'Pod', namespace: 'default', labelSelector: [{ key: 'app', operator: 'in', values: ['c'] }] }).items.map((p) => p.metadata.name)).toEqual(['c']);
      expect(store.readEvents(0, 10).map((e) => [e.revision, e.name])).toEqual([
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
      ]);
      expect(store.readEvents(1, 1).map((e) => e.revision)).toEqual([2]);
      expect(seen).toEqual([1, 2, 3]);
    });

    it("reads one kind's events alone, expired only below that kind's floor", async () => {
      const store = await backend.open();
      await store.write((tx) => create(tx, pod('a')));
      await store.write((tx) => create(tx, service('s', '10.96.0.20')));
      await store.write((tx) => create(tx, pod('b')));
      const relabelled = service('s', '10.96.0.20');
      relabelled.metadata.labels = { v: '2' };
      await store.write((tx) => update(tx, relabelled, '2'));
      expect(store.readEvents(0, 10, 'Pod').map((e) => [e.revision, e.kind, e.name])).toEqual([
        [1, 'Pod', 'a'],
        [3, 'Pod', 'b'],
      ]);
      expect(store.readEvents(1, 1, 'Pod').map((e) => e.revision)).toEqual([3]);
      expect(store.readEvents(0, 10, 'Service').map((e) => e.revision)).toEqual([2, 4]);
      expect(store.readEvents(0, 10, 'ConfigMap')).toEqual([]);
      // Services compacted faster: the log as a whole has a gap below 4, the Pods do not.
      expect(store.compactKind('Service', 3)).toBe(3);
      expect(() => store.readEvents(0, 10)).toThrow(/compacted/);
      expect(() => store.readEvents(0, 10, 'Service')).toThrow(/compacted/);
      expect(store.readEvents(0, 10, 'Pod').map((e) => e.revision)).toEqual([1, 3]);
    });

    it("reads one node's pod events in a span of the log, expired only below the Pod floor", async () => {
      const store = await backend.open();
      const onNode = (name: string, node: string) => ({ ...pod(name), spec: { nodeName: node, containers: [{ name: 'c', image: 'nginx' }] } }) as unknown as KObject;
      await store.write((tx) => create(tx, onNode('a', 'n1'))); // 1
      await store.write((tx) => create(tx, onNode('b', 'n2'))); // 2
      await store.write((tx) => create(tx, pod('unbound'))); // 3
      await store.write((tx) => create(tx, service('s', '10.96.0.21'))); // 4
      await store.write((tx) => update(tx, onNode('a', 'n1'), '1')); // 5
      await store.write((tx) => create(tx, onNode('c', 'n1'))); // 6
      const names = (after: number, upTo: number, limit: number) => store.readNodePodEvents(after, upTo, limit, 'n1').map((e) => [e.revision, e.name]);
      expect(names(0, 6, 10)).toEqual([
        [1, 'a'],
        [5, 'a'],
        [6, 'c'],
      ]);
      expect(names(1, 5, 10)).toEqual([[5, 'a']]);
      expect(names(0, 6, 2)).toEqual([
        [1, 'a'],
        [5, 'a'],
      ]);
      expect(names(1, 4, 10)).toEqual([]);
      expect(store.readNodePodEvents(0, 6, 10, 'n3')).toEqual([]);
      expect(store.compactKind('Pod', 2)).toBe(2);
      expect(() => store.readNodePodEvents(0, 6, 10, 'n1')).toThrow(/compacted/);
      expect(names(2, 6, 10)).toEqual([
        [5, 'a'],
        [6, 'c'],
      ]);
    });

    it('answers CONFLICT on a stale resourceVersion and leaves the log unchanged', async () => {
      const store = await backend.open();
      await store.write((tx) => create(tx, pod('a')));
      await store.write((tx) => update(tx, pod('a', { v: '2' }), '1'));
      const stale = store.write((tx) => update(tx, pod('a', { v: '3' }), '1'));
      await expect(stale).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(store.head()).toBe(2);
      expect(store.readEvents(0, 10).map((e) => e.revision)).toEqual([1, 2]);
      expect(store.get('Pod', 'default', 'a')?.metadata.labels).toEqual({ v: '2' });
    });

    it('fails each write of a batch on its own, revisions staying gap-free', async () => {
      const store = await backend.open();
      const results = await Promise.allSettled([
        store.write((tx) => create(tx, pod('a'))),
        store.write((tx) => create(tx, pod('a'))),
        store.write((tx) => create(tx, pod('b'))),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(store.readEvents(0, 10).map((e) => [e.revision, e.name])).toEqual([
        [1, 'a'],
        [2, 'b'],
      ]);
    });

    it('returns the first result for a repeated requestId and appends nothing', async () => {
      const store = await backend.open();
      const first = await store.write((tx) => create(tx, pod('a'), 'req-1'));
      const again = await store.write((tx) => create(tx, pod('a'), 'req-1'));
      expect(again.revision).toBe(first.revision);
      expect(store.head()).toBe(1);
    });

    it('keeps an allocated value unique', async () => {
      const store = await backend.open();
      await store.write((tx) => create(tx, service('one', '10.96.0.10')));
      await expect(store.write((tx) => create(tx, service('two', '10.96.0.10')))).rejects.toMatchObject({ code: 'CONFLICT' });
      await store.write((tx) => {
        const one = tx.get('Service', 'default', 'one')!;
        return tx.append({ actor: 'test', verb: 'delete', type: 'DELETED', object: one });
      });
      await store.write((tx) => create(tx, service('two', '10.96.0.10')));
      expect(store.list({ kind: 'Service', namespace: 'default' }).items.map((s) => s.metadata.name)).toEqual(['two']);
    });

    it('reads at a past revision, and refuses one above the head', async () => {
      const store = await backend.open();
      await store.write((tx) => create(tx, pod('a', { v: '1' })));
      await store.write((tx) => update(tx, pod('a', { v: '2' }), '1'));
      await store.write((tx) => create(tx, pod('b')));
      expect(store.get('Pod', 'default', 'a', 1)?.metadata.labels).toEqual({ v: '1' });
      expect(store.get('Pod', 'default', 'a')?.metadata.labels).toEqual({ v: '2' });
      expect(store.list({ kind: 'Pod', atRevision: 2 }).items.map((p) => p.metadata.name)).toEqual(['a']);
      expect(store.list({ kind: 'Pod', namespace: 'default', labelSelector: [{ key: 'v', operator: 'in', values: ['1'] }], atRevision: 1 }).items).toHaveLength(1);
      expect(() => store.get('Pod', 'default', 'a', 9)).toThrow(/newer than the head/);
    });

    it('reaches a revision it holds at once, and does not wait for one the log never held', async () => {
      const store = await backend.open();
      const { revision } = await store.write((tx) => create(tx, pod('a')));
      await store.reach(revision);
      await store.reach(revision - 1);
      // Not in the log: nothing to wait for; the read's own check refuses it.
      await store.reach(revision + 5);
      expect(() => store.get('Pod', 'default', 'a', revision + 5)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    });

    it('answers history and audit from the log', async () => {
      const store = await backend.open();
      await store.write((tx) => create(tx, pod('a', { v: '1' })));
      await store.write((tx) => create(tx, pod('b')));
      await store.write((tx) => update(tx, pod('a', { v: '2' }), '1'));
      const history = store.readHistory('Pod', { namespace: 'default', name: 'a' }, 0, 10);
      expect(history.versions.map((v) => [v.event.revision, v.previous?.metadata.labels ?? null])).toEqual([
        [1, null],
        [3, { v: '1' }],
      ]);
      const audit = store.readAudit({ verb: 'update' }, 0, 10);
      expect(audit.events.map((e) => [e.revision, e.name])).toEqual([[3, 'a']]);
    });
  });
});
