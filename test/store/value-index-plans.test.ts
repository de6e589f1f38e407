/**
 * The objects table's value indexes hold only the rows that have the value: objects_node current
 * rows with a spec.nodeName, objects_controller current rows with a controller, objects_to_rev
 * closed versions, labels_to_rev closed label rows. A Lease renewal (neither value, the previous
 * version closed) then touches no page of the first two and appends at the end of the third, where
 * it used to move the previous version's entry out of a part ordered by rowid. The reads they serve
 * must still find them: the statements the store runs, captured as SQLite ran them, are planned on
 * the index, and read the right rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KObject } from '../../server/resources/kind.js';
import { registryAllocations } from '../../server/store/registry-allocations.js';
import { listBy } from '../../server/store/sqlite/list-by.js';
import { listMatching } from '../../server/store/sqlite/list-matching.js';
import { listObjects } from '../../server/store/sqlite/list-objects.js';
import { openDatabase } from '../../server/store/sqlite/open-database.js';
import { createWriteTx } from '../../server/store/sqlite/write-transaction.js';
import { prepareStatements } from '../../server/store/sqlite/statements.js';
import type { LabelMatch, StoredEvent } from '../../server/store/types.js';

const dir = mkdtempSync(join(tmpdir(), 'kubeql-value-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pod = (name: string, nodeName: string | undefined, owner: string | undefined): KObject =>
  ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: owner, controller: true }] } : {}) },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'nginx' }] },
  }) as unknown as KObject;
const lease = (name: string, renewTime: string): KObject =>
  ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease', uid: `uid-${name}` }, spec: { holderIdentity: name, renewTime } }) as unknown as KObject;

describe('value indexes of the objects table', () => {
  it('hold only rows with the value, and the node, controller and compaction reads are planned on them', () => {
    const statements: string[] = [];
    const { sqlite, db } = openDatabase(dir, 'NORMAL', (s) => statements.push(String(s)));
    const st = prepareStatements(db, sqlite);
    const counter = { head: 0, ts: 0 };
    const write = (objects: KObject[]) =>
      sqlite.transaction(() => {
        const tx = createWriteTx(st, counter, registryAllocations, [] as StoredEvent[]);
        for (const o of objects) {
          const previous = tx.get(o.kind, o.metadata.namespace ?? '', o.metadata.name);
          tx.append({ actor: 'test', verb: previous ? 'update' : 'create', type: previous ? 'MODIFIED' : 'ADDED', object: o });
        }
      })();
    // 40 pods: a quarter on n1, a quarter on n2, half unbound; those with an even number owned by rs-a.
    write(Array.from({ length: 40 }, (_, i) => pod(`p${i}`, i % 4 === 0 ? 'n1' : i % 4 === 1 ? 'n2' : undefined, i % 2 === 0 ? 'rs-a' : undefined)));
    // Leases renewed three times: six closed versions, no value of either index.
    for (let r = 0; r < 3; r++) write(['n1', 'n2'].map((n) => lease(n, `2026-01-01T00:00:0${r}Z`)));

    const count = (sql: string) => (sqlite.prepare(sql).pluck().get() as number);
    // What each index holds (INDEXED BY makes SQLite read the index, or fail if it cannot).
    expect(count(`SELECT count(*) FROM objects INDEXED BY objects_node WHERE kind = 'Pod' AND node_name IS NOT NULL AND to_rev IS NULL`)).toBe(20);
    expect(count(`SELECT count(*) FROM objects INDEXED BY objects_controller WHERE controller_uid IS NOT NULL AND to_rev IS NULL`)).toBe(20);
    expect(count(`SELECT count(*) FROM objects INDEXED BY objects_to_rev WHERE to_rev > 0`)).toBe(4);
    expect(count(`SELECT count(*) FROM objects WHERE to_rev IS NULL`)).toBe(42);

    const planOf = (run: () => unknown) => {
      statements.length = 0;
      run();
      expect(statements.length).toBeGreaterThan(0);
      return statements.map((s) => (sqlite.prepare(`EXPLAIN QUERY PLAN ${s}`).all() as Array<{ detail: string }>).map((r) => r.detail).join('; ')).join(' | ');
    };
    // The kubelet's own pods (a field selector on spec.nodeName).
    let items: KObject[] = [];
    expect(planOf(() => (items = listObjects(db, { kind: 'Pod', fieldSelector: [{ field: 'spec.nodeName', operator: '=', value: 'n1' }] }, undefined).items))).toMatch(/USING INDEX objects_node \(kind=\? AND node_name=\?\)/);
    expect(items.map((p) => p.metadata.name).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `p${i * 4}`).sort());
    // The relations' lookups by node and by controller.
    let groups = new Map<string, KObject[]>();
    expect(planOf(() => (groups = listBy(db, 'Pod', 'nodeName', ['n1', 'n2'], undefined)))).toMatch(/USING INDEX objects_node \(kind=\? AND node_name=\?\)/);
    expect([groups.get('n1')?.length, groups.get('n2')?.length]).toEqual([10, 10]);
    expect(planOf(() => (groups = listBy(db, 'Pod', 'controllerUid', ['rs-a'], undefined)))).toMatch(/USING INDEX objects_controller \(controller_uid=\?\)/);
    expect(groups.get('rs-a')).toHaveLength(20);
    // Unbound pods (spec.nodeName empty) are still found, without the index.
    expect(listObjects(db, { kind: 'Pod', fieldSelector: [{ field: 'spec.nodeName', operator: '=', value: '' }] }, undefined).items).toHaveLength(20);
    // A node's pod events (the kubelet's catch-up): planned on events_pod_node, which holds the
    // events of bound pods only (the 20 creates of bound pods; the 20 unbound ones added no entry).
    expect(count(`SELECT sum(ncell) FROM dbstat WHERE name = 'events_pod_node' AND pagetype = 'leaf'`)).toBe(20);
    let nodeEvents: unknown[] = [];
    expect(planOf(() => (nodeEvents = st.nodeEventsAfter.all({ after: 0, upTo: counter.head, nodeName: 'n2', limit: 100 })))).toMatch(/USING INDEX events_pod_node \(<expr>=\? AND revision>\? AND revision<\?\)/);
    expect(nodeEvents).toHaveLength(10);
    // Compaction's range of closed versions.
    expect((sqlite.prepare(`EXPLAIN QUERY PLAN DELETE FROM objects WHERE to_rev <= 100`).all() as Array<{ detail: string }>)[0].detail).toMatch(/USING INDEX objects_to_rev \(to_rev<\?\)/);
    expect((sqlite.prepare(`EXPLAIN QUERY PLAN DELETE FROM labels WHERE to_rev <= 100`).all() as Array<{ detail: string }>)[0].detail).toMatch(/USING INDEX labels_to_rev \(to_rev<\?\)/);
    sqlite.close();
  });

  it('serve label-selected reads at the head and at a past revision from one label index, labels_alive', () => {
    const statements: string[] = [];
    const { sqlite, db } = openDatabase(mkdtempSync(join(dir, 'labels-')), 'NORMAL', (s) => statements.push(String(s)));
    const st = prepareStatements(db, sqlite);
    const counter = { head: 0, ts: 0 };
    const labelled = (name: string, tier: string | undefined): KObject => {
      const p = pod(name, undefined, undefined);
      p.metadata.labels = { app: 'web', ...(tier ? { tier } : {}) };
      return p;
    };
    const write = (objects: Array<KObject | { deleted: string }>) =>
      sqlite.transaction(() => {
        const tx = createWriteTx(st, counter, registryAllocations, [] as StoredEvent[]);
        for (const o of objects) {
          if (!('kind' in o)) {
            const gone = tx.get('Pod', 'default', o.deleted)!;
            tx.append({ actor: 'test', verb: 'delete', type: 'DELETED', object: gone });
            continue;
          }
          const previous = tx.get(o.kind, o.metadata.namespace ?? '', o.metadata.name);
          tx.append({ actor: 'test', verb: previous ? 'update' : 'create', type: previous ? 'MODIFIED' : 'ADDED', object: o });
        }
      })();
    // 30 pods, every third gold; then, past `before`: g0 and g3 become bronze, g6 goes, n1 and n2 are created gold.
    write(Array.from({ length: 30 }, (_, i) => labelled(`g${i}`, i % 3 === 0 ? 'gold' : 'bronze')));
    const before = counter.head;
    write([labelled('g0', 'bronze'), labelled('g3', 'bronze'), { deleted: 'g6' }, labelled('n1', 'gold'), labelled('n2', 'gold'), labelled('g1', undefined)]);

    const goldAtFirst = Array.from({ length: 10 }, (_, i) => `g${i * 3}`).sort();
    const goldNow = [...goldAtFirst.filter((n) => !['g0', 'g3', 'g6'].includes(n)), 'n1', 'n2'].sort();
    const planOf = (run: () => unknown) => {
      statements.length = 0;
      run();
      expect(statements.length).toBeGreaterThan(0);
      return statements.map((s) => (sqlite.prepare(`EXPLAIN QUERY PLAN ${s}`).all() as Array<{ detail: string }>).map((r) => r.detail).join('; ')).join(' | ');
    };
    const names = (items: KObject[]) => items.map((p) => p.metadata.name).sort();
    const gold = [{ key: 'tier', operator: 'in' as const, values: ['gold'] }];
    let items: KObject[] = [];
    // At the head: the current rows of tier=gold, one value of the index.
    expect(planOf(() => (items = listObjects(db, { kind: 'Pod', labelSelector: gold }, undefined).items))).toMatch(/SEARCH d USING INDEX labels_alive \(kind=\? AND key=\? AND value=\? AND <expr>=\?\)/);
    expect(names(items)).toEqual(goldNow);
    // At the revision before the changes: the rows alive then, one range of the index.
    expect(planOf(() => (items = listObjects(db, { kind: 'Pod', labelSelector: gold }, before).items))).toMatch(/SEARCH d USING INDEX labels_alive \(kind=\? AND key=\? AND value=\? AND <expr>>\?\)/);
    expect(names(items)).toEqual(goldAtFirst);
    // A second requirement is matched on the rows' labels; the first still drives the index.
    expect(names(listObjects(db, { kind: 'Pod', labelSelector: [...gold, { key: 'app', operator: 'in', values: ['web'] }] }, before).items)).toEqual(goldAtFirst);
    // A selector's matches (Services, ReplicaSets), at the head and in the past.
    let matched: KObject[][] = [];
    const selectors: LabelMatch[] = [{ namespace: 'default', labels: { app: 'web', tier: 'gold' } }, { namespace: 'default', labels: { tier: 'bronze' } }];
    expect(planOf(() => (matched = listMatching(db, 'Pod', selectors, undefined)))).toMatch(/USING INDEX labels_alive \(kind=\? AND key=\? AND value=\? AND <expr>=\?\)/);
    expect(matched.map(names)).toEqual([goldNow, Array.from({ length: 30 }, (_, i) => `g${i}`).filter((n) => !goldNow.includes(n) && n !== 'g6' && n !== 'g1').sort()]);
    expect(planOf(() => (matched = listMatching(db, 'Pod', selectors, before)))).toMatch(/USING INDEX labels_alive \(kind=\? AND key=\? AND value=\? AND <expr>>\?\)/);
    expect(matched.map(names)).toEqual([goldAtFirst, Array.from({ length: 30 }, (_, i) => `g${i}`).filter((n) => !goldAtFirst.includes(n)).sort()]);
    // The index holds one entry per label row, current or closed: labels added are one entry each.
    expect(sqlite.prepare('SELECT count(*) FROM labels').pluck().get()).toBe(sqlite.prepare(`SELECT count(*) FROM labels INDEXED BY labels_alive WHERE kind = 'Pod' AND key IN ('app', 'tier')`).pluck().get());
    expect(sqlite.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'labels' AND name NOT LIKE 'sqlite_autoindex%'").pluck().get()).toBe(2);
    sqlite.close();
  });
});
