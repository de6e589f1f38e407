import { describe, expect, it } from 'vitest';
import { ObjectCache } from '../../server/client/object-cache.js';
import type { KObject } from '../../server/resources/kind.js';

const pod = (name: string, labels: Record<string, string>, node?: string, owner?: string): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '1', generation: 1, creationTimestamp: '2026-12-03T20:00:00Z', labels, ownerReferences: owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: owner, controller: true }] : undefined },
  spec: { containers: [], nodeName: node },
});
const names = (objects: KObject[]) => objects.map((o) => o.metadata.name).sort();

describe('the object cache', () => {
  it('builds an index the first time it is asked for, from what it holds, and keeps it up to date from then on', () => {
    const cache = new ObjectCache();
    cache.put(pod('a', { app: 'web' }, 'n1', 'rs-1'));
    cache.put(pod('b', { app: 'web' }, 'n2', 'rs-1'));
    cache.put(pod('c', { app: 'db' }));
    expect(cache.indexed()).toEqual([]);

    expect(names(cache.byIndex('label', 'app=web'))).toEqual(['a', 'b']);
    expect(cache.indexed()).toEqual(['label']);
    cache.put(pod('b', { app: 'db' }, 'n2', 'rs-1'));
    cache.put(pod('d', { app: 'web' }));
    cache.remove(pod('a', {}));
    expect(names(cache.byIndex('label', 'app=web'))).toEqual(['d']);
    expect(names(cache.byIndex('label', 'app=db'))).toEqual(['b', 'c']);

    // Another index, built after those changes, sees the cache as it is now.
    expect(names(cache.byIndex('owner', 'rs-1'))).toEqual(['b']);
    expect(names(cache.byIndex('nodeName', 'n2'))).toEqual(['b']);
    expect(names(cache.byIndex('namespace', 'ns'))).toEqual(['b', 'c', 'd']);
    cache.remove(pod('b', {}));
    expect(cache.byIndex('owner', 'rs-1')).toEqual([]);
    expect(cache.byIndex('nodeName', 'n2')).toEqual([]);
    expect(cache.indexed().sort()).toEqual(['label', 'namespace', 'nodeName', 'owner']);
  });
});
