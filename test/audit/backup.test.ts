import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestProjections } from '../../server/store/sqlite/digest.js';
import { registryAllocations } from '../../server/store/registry-allocations.js';
import { inReadSnapshot, replayInto } from '../../server/store/sqlite/replay.js';
import { openScratchDatabase } from '../../server/store/sqlite/scratch-database.js';
import { CREATE_POD, POD, startTestApi, testBackend, type TestApi } from '../support/api.js';
import { stopAllComponents } from '../support/processes.js';
import { sharedPostgres } from '../support/postgres.js';
import { downloadBackup, runCommand } from './cli.js';
import { readLogHead } from '../../server/store/sqlite/log-head.js';

let api: TestApi;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kubeql-backup-test-'));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(async () => {
  await stopAllComponents();
  await api.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The digest the live log gives when replayed up to `revision` (the live tables at that revision). */
function liveDigestAt(revision: number): string {
  const scratch = openScratchDatabase();
  try {
    inReadSnapshot(api.db(), () => replayInto(api.db(), scratch.sqlite, registryAllocations, { upTo: revision }));
    return digestProjections(scratch.sqlite, api.db()).digest;
  } finally {
    scratch.dispose();
  }
}

/**
 * On SQLite a backup is SQLite's backup file, restored into an empty data directory; on PostgreSQL
 * (KUBEQL_TEST_BACKEND=postgres) a pg_dump, restored into an empty database. The tests of the files
 * themselves are SQLite's; PostgreSQL's refusals are tested in test/store/postgres-maintenance.
 */
const sqliteFiles = it.skipIf(testBackend === 'postgres');

describe('backup and restore', () => {
  it('takes a consistent online backup while writers run; restore gives the digest of the backup revision', async () => {
    for (let i = 0; i < 50; i++) await api.ok(CREATE_POD, { i: POD(`seed-${i}`, { labels: { n: String(i) } }) });
    let writing = true;
    let written = 0;
    const writers = Array.from({ length: 3 }, async (_, w) => {
      for (let i = 0; writing; i++) {
        await api.ok(CREATE_POD, { i: POD(`w${w}-${i}`, { labels: { w: String(w) } }) });
        await api.ok(`mutation($n: String!, $p: JSON!) { patchPod(namespace: "default", name: $n, patch: $p) { metadata { name } } }`, { n: `seed-${(i * 7 + w) % 50}`, p: { metadata: { labels: { touched: `${w}-${i}` } } } });
        written += 2;
      }
    });
    await new Promise((r) => setTimeout(r, 300));
    const file = join(tempDir(), 'kubeql-backup.db');
    const startedAt = written;
    const revision = await downloadBackup(api.server.url, api.token, file);
    const duringBackup = written - startedAt;
    await new Promise((r) => setTimeout(r, 200));
    writing = false;
    await Promise.all(writers);
    const head = (await api.ok('{ revision }')).revision;
    expect(head).toBeGreaterThan(revision); // the writers went on after the snapshot

    if (testBackend === 'sqlite') {
      const copy = new Database(file, { readonly: true });
      const copyHead = readLogHead(copy);
      const copyEvents = copy.prepare('SELECT * FROM events ORDER BY revision').all();
      copy.close();
      expect(copyHead).toBe(revision);
      // The backup's log is the live log up to its revision, exactly.
      expect(copyEvents).toEqual(api.db().prepare('SELECT * FROM events WHERE revision <= ? ORDER BY revision').all(revision));
    }

    const dataDir = join(tempDir(), 'restored');
    const databaseUrl = testBackend === 'postgres' ? await (await sharedPostgres()).createDatabase() : undefined;
    const restore = await runCommand('store/restore-main.ts', [file], databaseUrl ? { KUBEQL_DATABASE_URL: databaseUrl } : { DATA_DIR: dataDir });
    expect(restore.code, restore.output).toBe(0);
    const digest = restore.output.match(/digest ([0-9a-f]{64})\s*$/m)?.[1];
    expect(digest, restore.output).toBeDefined();
    expect(digest).toBe(liveDigestAt(revision));
    console.log(`backup at revision ${revision} (head ${head} when the writers stopped, ${duringBackup} writes while it was taken); restored digest ${digest}`);

    // The restored directory serves from the backup's revision.
    const restored = await startTestApi(databaseUrl ? { databaseUrl } : { dataDir });
    try {
      expect((await restored.ok('{ revision }')).revision).toBe(revision);
      expect((await restored.ok(`{ pod(namespace: "default", name: "seed-0") { metadata { name } } }`)).pod.metadata.name).toBe('seed-0');
      expect((await restored.ok('mutation { replay { match digest } }')).replay).toEqual({ match: true, digest });
    } finally {
      await restored.close();
    }
  });

  sqliteFiles('refuses to restore into a data directory that is not empty, and leaves it as it was', async () => {
    const file = join(tempDir(), 'b.db');
    await downloadBackup(api.server.url, api.token, file);
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'something'), 'keep me');
    const r = await runCommand('store/restore-main.ts', [file], { DATA_DIR: dataDir });
    expect(r.code).toBe(1);
    expect(r.output).toContain('is not empty');
    expect(readdirSync(dataDir)).toEqual(['something']);
    // Not a backup at all: refused, the directory left empty.
    const notDb = join(tempDir(), 'junk.db');
    writeFileSync(notDb, 'this is not a database');
    const empty = join(tempDir(), 'empty');
    mkdirSync(empty);
    const bad = await runCommand('store/restore-main.ts', [notDb], { DATA_DIR: empty });
    expect(bad.code).toBe(1);
    expect(readdirSync(empty)).toEqual([]);
  });

  it('needs a token allowed to back up, and GET', async () => {
    const url = new URL('/admin/backup', api.server.url);
    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const post = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${api.token}` } });
    expect(post.status).toBe(405);
  });
});
