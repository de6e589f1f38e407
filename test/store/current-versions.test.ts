/**
 * The SQLite write path keeps the current versions it read (current-versions.ts): a write always
 * reads the version the table holds, whatever the writes before it in the same batch or a rolled-back
 * savepoint did, and a caller's changes to what it read never reach another.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KObject } from '../../server/resources/kind.js';
import { createStore } from '../../server/store/sqlite/create-store.js';
import type { Store, WriteTx } from '../../server/store/types.js';
import { storeFixtures } from '../support/store-fixtures.js';

const fixtures = storeFixtures('current-versions');
let store: Store | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
});

const namespace = (labels: Record<string, string>, extra: Record<string, unknown> = {}): KObject =>
  ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', uid: 'u-team', labels, ...extra } }) as unknown as KObject;
const append = (tx: WriteTx, object: KObject) => tx.append({ actor: 'admin', verb: 'update', type: 'MODIFIED', object });
const labelsOf = (tx: WriteTx) => tx.get('Namespace', '', 'team')?.metadata.labels;

describe('current versions kept by the SQLite write path', () => {
  it('a read sees the write before it in its batch, a savepoint rolled back, and the next batch', async () => {
    store = createStore({ dataDir: fixtures.dataDir() });
    const s = store;
    await s.write((tx) => tx.append({ actor: 'admin', verb: 'create', type: 'ADDED', object: namespace({ v: '1' }) }));
    // Read (and kept) in a batch of its own.
    expect(await s.write(labelsOf)).toEqual({ v: '1' });
    // One batch: a write, a read after it, a write that fails after appending, a read after that.
    const seen = await Promise.all([
      s.write((tx) => append(tx, namespace({ v: '2' }))),
      s.write(labelsOf),
      s.write((tx) => {
        append(tx, namespace({ v: '3' }));
        throw new Error('refused after appending');
      }).catch((e: Error) => e.message),
      s.write(labelsOf),
    ]);
    expect(seen.slice(1)).toEqual([{ v: '2' }, 'refused after appending', { v: '2' }]);
    expect(await s.write(labelsOf)).toEqual({ v: '2' });
    expect(s.get('Namespace', '', 'team')?.metadata.labels).toEqual({ v: '2' });
    // A terminating namespace is seen as such by the next write.
    await s.write((tx) => append(tx, namespace({ v: '2' }, { deletionTimestamp: '2026-01-01T00:00:00Z' })));
    expect(await s.write((tx) => tx.get('Namespace', '', 'team')?.metadata.deletionTimestamp)).toBe('2026-01-01T00:00:00Z');
  });

  it('what a write changes in an object it read stays its own', async () => {
    store = createStore({ dataDir: fixtures.dataDir() });
    const s = store;
    await s.write((tx) => tx.append({ actor: 'admin', verb: 'create', type: 'ADDED', object: namespace({ v: '1' }) }));
    await s.write((tx) => {
      const ns = tx.get('Namespace', '', 'team')!;
      ns.metadata.labels!.v = 'changed in place';
      return ns;
    });
    expect(await s.write(labelsOf)).toEqual({ v: '1' });
  });

  it('a version a batch wrote is read by the next write without a query, and one that failed is not kept', async () => {
    store = createStore({ dataDir: fixtures.dataDir(), countStatements: true });
    const s = store;
    await s.write((tx) => tx.append({ actor: 'admin', verb: 'create', type: 'ADDED', object: namespace({ v: '1' }) }));
    await s.write((tx) => append(tx, namespace({ v: '2' })));
    // A read of a kept version is no statement: a write job that only reads runs as many as one that does nothing.
    const statementsOf = async (job: (tx: WriteTx) => unknown) => {
      const before = s.statementCount();
      await s.write(job);
      return s.statementCount() - before;
    };
    const idle = await statementsOf(() => undefined);
    let labels: unknown;
    expect(await statementsOf((tx) => (labels = labelsOf(tx)))).toBe(idle);
    expect(labels).toEqual({ v: '2' });
    // A write that appends and then fails: what it appended was never current, the version before it still is.
    await s.write((tx) => {
      append(tx, namespace({ v: 'rolled back' }));
      throw new Error('refused after appending');
    }).catch(() => undefined);
    expect(await statementsOf((tx) => (labels = labelsOf(tx)))).toBe(idle + 1);
    expect(labels).toEqual({ v: '2' });
    // Its resourceVersion is the revision that wrote it; a copy changed by its reader leaves the kept one alone.
    await s.write((tx) => {
      const ns = tx.get('Namespace', '', 'team')!;
      expect(ns.metadata.resourceVersion).toBe(String(s.head()));
      ns.metadata.labels!.v = 'changed in place';
    });
    expect(await s.write(labelsOf)).toEqual({ v: '2' });
  });
});
