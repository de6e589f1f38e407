import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { KObject } from '../../server/resources/kind.js';
import { createStore, type SqliteStore } from '../../server/store/sqlite/create-store.js';
import type { SyncMode } from '../../server/store/types.js';

/**
 * The WAL is checkpointed by a thread of its own, never inside the writer's COMMIT
 * (wal_autocheckpoint=0 on the store's connection). Under sustained writes the WAL stays bounded,
 * and checkpoints running beside the writes lose nothing: a separate connection reading the files
 * (and the store reopened) sees every acknowledged write.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function pod(name: string): KObject {
  // About 3 KiB stored: a few WAL pages per write.
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'web', n: name }, annotations: { note: 'x'.repeat(3000) } },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
  } as unknown as KObject;
}

function open(mode: SyncMode, checkpointCommits: number): { store: SqliteStore; dataDir: string; wal: string } {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubeql-ckpt-test-'));
  dirs.push(dataDir);
  return { store: createStore({ dataDir, synchronous: mode, checkpointCommits }), dataDir, wal: join(dataDir, 'kubeql.db-wal') };
}

/** The checkpoint thread starts in the background: the bound holds from its start on. */
async function checkpointerReady(store: SqliteStore): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!store.checkpointStats().ready) {
    if (Date.now() > deadline) throw new Error('the checkpoint thread did not start within 30 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const create = (store: SqliteStore, name: string) => store.write((tx) => tx.append({ actor: 'test', verb: 'create', type: 'ADDED', object: pod(name) }).revision);

const WAVES = 60;
const PER_WAVE = 50;
/** Then one write at a time: a commit each, each appending every page it changed (about 20) to the WAL. */
const SINGLES = 600;
const TOTAL = WAVES * PER_WAVE + SINGLES;
/** With a checkpoint every 4 commits, the WAL stays far below this. */
const WAL_BOUND = 8 * 1024 * 1024;

describe.each(['DURABLE', 'FULL'] as const)('WAL checkpoints off the commit path, %s', (mode) => {
  it('the WAL stays bounded under sustained writes, checkpoints run beside them, and nothing acknowledged is lost', async () => {
    const { store, dataDir, wal } = open(mode, 4);
    let walMax = 0;
    const acked: number[] = [];
    try {
      await checkpointerReady(store);
      for (let wave = 0; wave < WAVES; wave++) {
        const writes: Promise<number>[] = [];
        for (let i = 0; i < PER_WAVE; i++) writes.push(create(store, `w${wave}-${i}`));
        acked.push(...(await Promise.all(writes)));
        walMax = Math.max(walMax, statSync(wal).size);
      }
      for (let i = 0; i < SINGLES; i++) {
        acked.push(await create(store, `s${i}`));
        walMax = Math.max(walMax, statSync(wal).size);
      }
      expect(acked.sort((a, b) => a - b)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
      // The writes put far more than the bound through the WAL (about 3 KiB of JSON each, twice: log and table).
      expect(TOTAL * 3000 * 2).toBeGreaterThan(WAL_BOUND);
      expect(walMax).toBeLessThan(WAL_BOUND);
      const stats = store.checkpointStats();
      expect(stats.runs).toBeGreaterThan(0);
      expect(stats.pauses).toBeGreaterThan(0);
      expect(stats.complete).toBeGreaterThan(0);
      expect(stats.failures).toBe(0);

      // Another connection reading the files sees every acknowledged write, in the database file or the WAL.
      const other = new Database(join(dataDir, 'kubeql.db'), { readonly: true });
      try {
        expect((other.prepare('SELECT count(*) AS n, max(revision) AS head FROM events').get() as { n: number; head: number })).toEqual({ n: TOTAL, head: TOTAL });
        expect((other.prepare('SELECT count(*) AS n FROM objects WHERE to_rev IS NULL').get() as { n: number }).n).toBe(TOTAL);
      } finally {
        other.close();
      }
    } finally {
      store.close();
    }

    // Reopened: the same log; replay of it equals the tables.
    const again = createStore({ dataDir, synchronous: mode });
    try {
      expect(again.head()).toBe(TOTAL);
      expect(again.get('Pod', 'default', `s${SINGLES - 1}`)?.metadata.resourceVersion).toBe(String(TOTAL));
      const report = await again.replay({ verify: true });
      expect(report.match).toBe(true);
    } finally {
      again.close();
    }
  }, 120_000);
});

describe('the store connection', () => {
  it('does not checkpoint on commit: without its checkpointer (threshold never reached) the WAL grows past the bound', async () => {
    const { store, wal } = open('DURABLE', 1_000_000);
    try {
      await checkpointerReady(store);
      for (let wave = 0; wave < WAVES; wave++) {
        const writes: Promise<number>[] = [];
        for (let i = 0; i < PER_WAVE; i++) writes.push(create(store, `g${wave}-${i}`));
        await Promise.all(writes);
      }
      for (let i = 0; i < SINGLES; i++) await create(store, `s${i}`);
      expect(statSync(wal).size).toBeGreaterThan(WAL_BOUND);
      expect(store.checkpointStats().runs).toBe(0);
    } finally {
      store.close();
    }
  }, 120_000);
});
