import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { KObject } from '../../server/resources/kind.js';
import { createStore } from '../../server/store/sqlite/create-store.js';
import type { Store, SyncMode } from '../../server/store/types.js';

/**
 * KUBEQL_SYNC=DURABLE: the batch commits with synchronous=NORMAL and is acknowledged only after the
 * WAL's fdatasync on the threadpool. Between its COMMIT and that sync the write is in the file but
 * nobody is told of it: the write has not resolved, onCommit has not run, and reads at the head
 * (head(), get, list, readEvents, readAudit) answer as of the acknowledged revision. FULL is the control: there
 * the same moment already shows the write.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function pod(name: string): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } as unknown as KObject;
}

function open(mode: SyncMode): { store: Store; file: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubeql-sync-test-'));
  dirs.push(dataDir);
  return { store: createStore({ dataDir, synchronous: mode }), file: join(dataDir, 'kubeql.db') };
}

const create = (store: Store, name: string) => store.write((tx) => tx.append({ actor: 'test', verb: 'create', type: 'ADDED', object: pod(name) }).revision);

/** What the store shows right after the batch's COMMIT: an immediate queued after the flush's runs next in the same phase, before any I/O completion. */
function rightAfterCommit(store: Store, file: string, published: number[]) {
  return new Promise<{ inFile: number; head: number; get: boolean; listed: number; events: number; audit: number; published: number; settled: boolean }>((resolve) => {
    let settled = false;
    const write = create(store, 'p1');
    void write.then(() => (settled = true));
    setImmediate(() => {
      const other = new Database(file, { readonly: true });
      const inFile = (other.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
      other.close();
      resolve({
        inFile,
        head: store.head(),
        get: store.get('Pod', 'default', 'p1') !== undefined,
        listed: store.list({ kind: 'Pod', namespace: 'default' }).items.length,
        events: store.readEvents(0, 100).length,
        audit: store.readAudit({}, 0, 100).events.length,
        published: published.length,
        settled,
      });
    });
  });
}

describe('DURABLE sync mode', () => {
  it('acknowledges and shows a write only after the WAL sync that follows its COMMIT', async () => {
    const { store, file } = open('DURABLE');
    try {
      const published: number[] = [];
      store.onCommit((head) => published.push(head));
      const seen = await rightAfterCommit(store, file, published);
      // Committed to the file, not yet acknowledged nor visible.
      expect(seen).toEqual({ inFile: 1, head: 0, get: false, listed: 0, events: 0, audit: 0, published: 0, settled: false });
      await store.drain();
      expect(store.head()).toBe(1);
      expect(published).toEqual([1]);
      expect(store.get('Pod', 'default', 'p1')?.metadata.resourceVersion).toBe('1');
      expect(store.readEvents(0, 100).map((e) => e.revision)).toEqual([1]);
      expect(() => store.get('Pod', 'default', 'p1', 2)).toThrow(/newer than the head/);
    } finally {
      store.close();
    }
  });

  it('FULL (the control) shows the write at once after its COMMIT', async () => {
    const { store, file } = open('FULL');
    try {
      const published: number[] = [];
      store.onCommit((head) => published.push(head));
      const seen = await rightAfterCommit(store, file, published);
      expect(seen).toEqual({ inFile: 1, head: 1, get: true, listed: 1, events: 1, audit: 1, published: 1, settled: true });
    } finally {
      store.close();
    }
  });

  it('many concurrent writes across several syncs: each resolves with its own revision, published once, in order, gap-free', async () => {
    const { store } = open('DURABLE');
    try {
      const published: number[] = [];
      store.onCommit((_head, events) => published.push(...events.map((e) => e.revision)));
      const waves: Promise<number>[] = [];
      for (let wave = 0; wave < 20; wave++) {
        for (let i = 0; i < 10; i++) waves.push(create(store, `w${wave}-${i}`));
        await new Promise((r) => setImmediate(r)); // the next wave commits while a sync may still run
      }
      const revisions = await Promise.all(waves);
      expect([...revisions].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(published).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(store.head()).toBe(200);
      expect(store.list({ kind: 'Pod', namespace: 'default', limit: 1000 }).items).toHaveLength(200);
    } finally {
      store.close();
    }
  });

  it('a sync\'s writes are answered before the writes that gathered during it commit (on the next turn, with that turn\'s requests); readers see only the answered one', async () => {
    const { store, file } = open('DURABLE');
    try {
      const published: number[] = [];
      store.onCommit((head) => published.push(head));
      const first = create(store, 'p1');
      // Right after p1's COMMIT (its sync now runs on the threadpool): p2 gathers for the next batch.
      const second = new Promise<Promise<number>>((resolve) => setImmediate(() => resolve(create(store, 'p2'))));
      const atFirstAnswer = await first.then((revision) => {
        const other = new Database(file, { readonly: true });
        const inFile = (other.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
        other.close();
        return { revision, inFile, head: store.head(), get: store.get('Pod', 'default', 'p2') !== undefined, published: [...published] };
      });
      // p2 gathered during p1's sync and is not yet committed when p1 is answered: the batch waits
      // for the loop's next turn (committed in the sync's callback, it made smaller batches).
      expect(atFirstAnswer).toEqual({ revision: 1, inFile: 1, head: 1, get: false, published: [1] });
      expect(await (await second)).toBe(2);
      expect(published).toEqual([1, 2]);
      expect(store.head()).toBe(2);
    } finally {
      store.close();
    }
  });

  it('a lone writer (one write at a time, nothing gathering during the syncs) is synced on the thread of its COMMIT and answered in that same turn; a write beside a sync in progress still waits for the threadpool', async () => {
    const { store, file } = open('DURABLE');
    try {
      const published: number[] = [];
      store.onCommit((head) => published.push(head));
      // One at a time: each sync ends with no other write gathered.
      for (let i = 0; i < 5; i++) await create(store, `lone-${i}`);
      const seen = await new Promise<{ inFile: number; head: number; published: number; settled: boolean }>((resolve) => {
        let settled = false;
        void create(store, 'p1').then(() => (settled = true));
        // The immediate after the flush's: the answer's continuation has run if the write was answered in the flush.
        setImmediate(() =>
          setImmediate(() => {
            const other = new Database(file, { readonly: true });
            const inFile = (other.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
            other.close();
            resolve({ inFile, head: store.head(), published: published.length, settled });
          }),
        );
      });
      expect(seen).toEqual({ inFile: 6, head: 6, published: 6, settled: true });
      // Two writes in one turn are no lone writer: they share a batch and its sync on the threadpool.
      // Read right after the flush, in the same check phase (this immediate was queued after the
      // flush's): a sync on the threadpool is answered in a later poll phase at the earliest, so the
      // batch is committed but not yet acknowledged, however fast the disk (a second immediate, a
      // loop later, raced a fast fdatasync).
      const pair = Promise.all([create(store, 'q1'), create(store, 'q2')]);
      const beforeSync = await new Promise<number>((resolve) => setImmediate(() => resolve(store.head())));
      expect(beforeSync).toBe(6);
      expect(await pair).toEqual([7, 8]);
      expect(published).toEqual([1, 2, 3, 4, 5, 6, 8]);
    } finally {
      store.close();
    }
  });

  it('token issue and revoke (outside the group commit) keep their answers under DURABLE, and the WAL file survives a checkpoint that truncates it', async () => {
    const { store, file } = open('DURABLE');
    try {
      const token = { tokenHash: 'h1', identity: 'system:serviceaccount:default:a', groups: [], createdAt: 1, expiresAt: null, tokenId: 't1', issuedBy: 'admin', boundNamespace: null, boundName: null, boundUid: null };
      store.tokens.save(token);
      expect(store.tokens.find('h1')?.identity).toBe(token.identity);
      expect(store.tokens.revoke('t1', 'admin', 2)).toBe(true);
      expect(store.tokens.revoke('t1', 'admin', 3)).toBe(false);
      await create(store, 'before');
      // A truncating checkpoint empties the WAL in place; the sync's descriptor still names it.
      const other = new Database(file);
      other.pragma('wal_checkpoint(TRUNCATE)');
      other.close();
      expect(await create(store, 'after')).toBe(2);
      expect(store.get('Pod', 'default', 'after')?.metadata.resourceVersion).toBe('2');
    } finally {
      store.close();
    }
  });
});
