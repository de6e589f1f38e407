/**
 * A kind compacted in steps (retention's Lease floor, a step of a few thousand revisions each
 * minute) removes exactly its versions that ended in the step, and finds them in a range of the
 * to_rev index rather than among every version of the kind: at 5,000 nodes a kind's scan read
 * 150,000 Lease rows a step.
 */
import { describe, expect, it } from 'vitest';
import type { KObject } from '../../server/resources/kind.js';
import { DELETE_KIND_VERSIONS } from '../../server/store/sqlite/compact.js';
import type { WriteTx } from '../../server/store/types.js';
import { storeFixtures } from '../support/store-fixtures.js';

const fixtures = storeFixtures('kind-steps', { postgres: false });

const lease = (name: string, renewTime: string): KObject =>
  ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: 'kube-node-lease', uid: `uid-${name}`, labels: { node: name } }, spec: { holderIdentity: name, renewTime } }) as unknown as KObject;
const pod = (name: string, v: string): KObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { v } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }) as unknown as KObject;

/** Writes `object` as a create or an update of what is there. */
function put(tx: WriteTx, object: KObject) {
  const current = tx.get(object.kind, object.metadata.namespace ?? '', object.metadata.name);
  return tx.append({ actor: 'test', verb: current ? 'update' : 'create', type: current ? 'MODIFIED' : 'ADDED', object });
}

describe('compaction of one kind in steps', () => {
  it('removes exactly the versions of the kind that ended at or below each step, and nothing of other kinds', async () => {
    const { store, reader } = fixtures.sqliteStore();
    // Three Leases renewed 20 times each, interleaved with a Pod updated as often.
    for (let i = 0; i < 20; i++) {
      for (const n of ['n1', 'n2', 'n3']) await store.write((tx) => put(tx, lease(n, `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`)));
      await store.write((tx) => put(tx, pod('web', String(i))));
    }
    const versions = (table: 'objects' | 'labels', kind: string) =>
      reader.prepare(`SELECT to_rev FROM ${table} WHERE kind = ? AND to_rev IS NOT NULL ORDER BY to_rev`).pluck().all(kind) as number[];
    const podVersions = versions('objects', 'Pod');
    const podLabels = versions('labels', 'Pod');
    expect(versions('objects', 'Lease')).toHaveLength(57);
    // Steps of 10 revisions, as retention takes them.
    for (let floor = 10; floor <= 70; floor += 10) {
      expect(store.compactKind('Lease', floor)).toBe(floor);
      expect(versions('objects', 'Lease').every((to) => to > floor)).toBe(true);
      expect(versions('labels', 'Lease').every((to) => to > floor)).toBe(true);
      // Each Lease's superseded versions that ended above the floor are all still there.
      const remaining = versions('objects', 'Lease');
      const ended = reader.prepare(`SELECT count(*) FROM events WHERE kind = 'Lease' AND revision > ? AND type = 'MODIFIED'`).pluck().get(floor) as number;
      expect(remaining.length).toBe(ended);
      expect(versions('objects', 'Pod')).toEqual(podVersions);
      expect(versions('labels', 'Pod')).toEqual(podLabels);
    }
    // The current Leases read whole; the Pod's history is all there.
    expect(store.get('Lease', 'kube-node-lease', 'n2')?.spec).toMatchObject({ renewTime: '2026-01-01T00:00:19Z' });
    expect(store.readEvents(0, 100, 'Pod')).toHaveLength(20);
  });

  it('finds the versions a step removes in a range of the to_rev index', () => {
    const { reader } = fixtures.sqliteStore();
    const plan = (query: string) =>
      (reader.prepare(`EXPLAIN QUERY PLAN ${query}`).all({ kind: 'Lease', from: 100, floor: 200 }) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
    expect(plan(DELETE_KIND_VERSIONS.objects)).toMatch(/USING INDEX objects_to_rev \(to_rev>\? AND to_rev<\?\)/);
    expect(plan(DELETE_KIND_VERSIONS.labels)).toMatch(/USING INDEX labels_to_rev \(to_rev>\? AND to_rev<\?\)/);
  });
});
