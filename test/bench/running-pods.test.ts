/**
 * The cluster benchmark's count of Running pods (bench/running-pods.ts), read incrementally from the
 * log, equals a full count of the current rows after every kind of change: pods created, moved
 * between phases, deleted, in and out of the counted namespaces, and across compactions that
 * remove events the counter had not read yet.
 */
import { describe, expect, it } from 'vitest';
import type Database from 'better-sqlite3';
import { runningPodsCounter } from '../../bench/running-pods.js';
import type { KObject } from '../../server/resources/kind.js';
import { storeFixtures } from '../support/store-fixtures.js';

const fixtures = storeFixtures('running-pods', { postgres: false });

const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed'];

function pod(namespace: string, name: string, phase: string | undefined): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: `uid-${namespace}-${name}` },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
    ...(phase ? { status: { phase } } : {}),
  } as unknown as KObject;
}

/** The count as the benchmark took it before: every current row, read whole. */
function fullCount(db: Database.Database): number {
  return db.prepare(`SELECT count(*) FROM objects WHERE kind = 'Pod' AND to_rev IS NULL AND phase = 'Running' AND namespace LIKE 'bench-%'`).pluck().get() as number;
}

describe('the cluster benchmark counts Running pods from the log', () => {
  it('equals a full count after creates, phase changes, deletes and compactions', async () => {
    const { store, reader } = fixtures.sqliteStore();
    // Not counted: another namespace, and one whose name only starts like the prefix's letters.
    const namespaces = ['bench-a', 'bench-b', 'other', 'benchmark'];
    const alive = new Map<string, string | undefined>();
    // mulberry32: a fixed sequence, the same on every run.
    let seed = 7;
    const random = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    };
    const seen = new Set<number>();
    let count: (() => number) | undefined;
    let compactions = 0;
    for (let step = 0; step < 1200; step++) {
      const namespace = namespaces[random(namespaces.length)];
      const name = `p${random(40)}`;
      const key = `${namespace}/${name}`;
      const phase = random(5) === 0 ? undefined : PHASES[random(PHASES.length)];
      if (!alive.has(key)) {
        await store.write((tx) => tx.append({ actor: 'test', verb: 'create', type: 'ADDED', object: pod(namespace, name, phase) }));
        alive.set(key, phase);
      } else if (random(6) === 0) {
        await store.write((tx) => tx.append({ actor: 'test', verb: 'delete', type: 'DELETED', object: tx.get('Pod', namespace, name)! }));
        alive.delete(key);
      } else {
        await store.write((tx) => tx.append({ actor: 'test', verb: 'updateStatus', type: 'MODIFIED', object: pod(namespace, name, phase) }));
        alive.set(key, phase);
      }
      // The counter starts after some writes (its first count reads the current rows), then reads on.
      if (step === 100) count = runningPodsCounter(reader, 'bench-');
      if (count && step % 37 === 0) {
        const expected = [...alive].filter(([k, p]) => k.startsWith('bench-') && p === 'Running').length;
        expect(fullCount(reader)).toBe(expected);
        expect(count()).toBe(expected);
        seen.add(expected);
      }
      // Now and then the log is compacted up to the head: events the counter has not read are gone.
      if (step % 250 === 249) {
        store.compact(store.head());
        compactions++;
      }
    }
    expect(compactions).toBe(4);
    // The counts compared went up and down over the run, not one value throughout.
    expect(seen.size).toBeGreaterThan(5);
    const expected = [...alive].filter(([k, p]) => k.startsWith('bench-') && p === 'Running').length;
    expect(count!()).toBe(expected);
  });
});
