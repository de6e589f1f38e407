/**
 * Faults reported, not masked: a full disk makes writes answer STORAGE_FULL (retryable) and
 * /readyz 503 naming the log, while reads and watches go on, until space returns; a damaged or
 * lost database stops the real API server process at startup with a clear message and exit 1;
 * the data directory is 0700 and the database files 0600.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CREATE_POD, POD, snapshotTables, startTestApi } from '../support/api.js';
import { startComponent, stopAllComponents } from '../support/processes.js';
import { rawConnect } from '../support/raw-ws.js';

afterAll(() => stopAllComponents());

const mode = (path: string) => statSync(path).mode & 0o777;

describe('file modes', () => {
  it('the data directory is created 0700; the database, its WAL and shm, and the admin token are 0600', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'kubeql-modes-'));
    const dataDir = join(parent, 'data');
    const api = await startTestApi({ dataDir });
    try {
      await api.ok(CREATE_POD, { i: POD('m') });
      expect(mode(dataDir)).toBe(0o700);
      for (const f of ['kubeql.db', 'kubeql.db-wal', 'kubeql.db-shm', 'admin.token']) expect([f, mode(join(dataDir, f))]).toEqual([f, 0o600]);
    } finally {
      await api.close();
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

/** Runs the API server process on `dataDir` until it exits; resolves with its exit code and output. */
async function runApiServer(dataDir: string): Promise<{ code: number | null; output: string }> {
  const server = startComponent('api/main.ts', [], { PORT: '0', DATA_DIR: dataDir });
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => resolve(-1), 30_000);
    server.child.once('exit', (c) => (clearTimeout(timer), resolve(c)));
  });
  if (code === -1) await server.stop();
  return { code, output: server.output() };
}

/** A data directory with a real cluster in it (a few pods), its server closed (WAL checkpointed into the database). */
async function clusterDir(): Promise<string> {
  const api = await startTestApi({ dataDir: mkdtempSync(join(tmpdir(), 'kubeql-damaged-')) });
  for (let i = 0; i < 50; i++) await api.ok(CREATE_POD, { i: { ...POD(`p${i}`), metadata: { name: `p${i}`, annotations: { pad: 'x'.repeat(2000) } } } });
  await api.server.close();
  return api.dataDir;
}

describe('a damaged database at startup', () => {
  it('a zero-length database beside an admin token: refused, exit 1, the files left as they were', async () => {
    const dataDir = await clusterDir();
    writeFileSync(join(dataDir, 'kubeql.db'), '');
    const { code, output } = await runApiServer(dataDir);
    expect(code).toBe(1);
    expect(output).toMatch(/kubeql\.db is empty, but .*admin\.token exists/);
    expect(statSync(join(dataDir, 'kubeql.db')).size).toBe(0);
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('a missing database beside an admin token: refused', async () => {
    const dataDir = await clusterDir();
    rmSync(join(dataDir, 'kubeql.db'));
    const { code, output } = await runApiServer(dataDir);
    expect(code).toBe(1);
    expect(output).toMatch(/kubeql\.db is missing/);
    expect(existsSync(join(dataDir, 'kubeql.db'))).toBe(false);
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it.each([
    ['garbage pages in the middle', (size: number) => ({ at: Math.floor(size / 4096 / 2) * 4096, length: 3 * 4096 })],
    ['a garbage header', () => ({ at: 0, length: 4096 })],
  ])('%s: refused with the damage named, exit 1', async (_what, where) => {
    const dataDir = await clusterDir();
    const file = join(dataDir, 'kubeql.db');
    const { at, length } = where(statSync(file).size);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(length, 0xa5), 0, length, at);
    closeSync(fd);
    const before = readFileSync(file);
    const { code, output } = await runApiServer(dataDir);
    expect(code).toBe(1);
    expect(output).toMatch(/kubeql\.db is damaged/);
    expect(output).not.toMatch(/listening on/);
    expect(readFileSync(file).equals(before)).toBe(true);
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('a sound database starts as before', async () => {
    const dataDir = await clusterDir();
    const server = startComponent('api/main.ts', [], { PORT: '0', DATA_DIR: dataDir });
    const started = await new Promise<boolean>((resolve) => {
      const timer = setInterval(() => /listening on/.test(server.output()) && (clearInterval(timer), resolve(true)), 50);
      server.child.once('exit', () => (clearInterval(timer), resolve(false)));
    });
    expect(started, server.output()).toBe(true);
    expect(await server.stop()).toBe(0);
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);
});

/** Mounts a small tmpfs at a new directory, or says why it cannot. */
function smallDisk(megabytes: number): { dir: string } | { skip: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kubeql-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `cannot mount a tmpfs here (${String((error as Error).message).split('\n')[0]}): needs root` };
  }
}

const disk = smallDisk(24);

describe('a full disk', () => {
  afterAll(() => {
    if (!('dir' in disk)) return;
    execFileSync('umount', [disk.dir]);
    rmSync(disk.dir, { recursive: true, force: true });
  });

  it.skipIf(!('dir' in disk))(`writes answer STORAGE_FULL (retryable) and /readyz 503 while reads and watches go on, until space returns${'skip' in disk ? ` (skipped: ${disk.skip})` : ''}`, async () => {
    const root = (disk as { dir: string }).dir;
    const dataDir = join(root, 'data');
    mkdirSync(dataDir);
    const api = await startTestApi({ dataDir });
    const base = api.server.url.replace('/graphql', '');
    try {
      await api.ok(CREATE_POD, { i: POD('before') });
      const watch = await rawConnect(api.server.url);
      await watch.init();
      watch.subscribe('w', 'subscription { watch(kind: Pod) { type revision object { ... on Pod { metadata { name } } } } }');
      await watch.waitFor(() => watch.of('w').some((m) => m.payload?.data?.watch?.type === 'BOOKMARK'));

      // Fill the disk, leaving less than one large write.
      const filler = join(root, 'filler');
      const fd = openSync(filler, 'w');
      const block = Buffer.alloc(256 * 1024, 1);
      try {
        for (;;) writeSync(fd, block);
      } catch (error) {
        expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
      } finally {
        closeSync(fd);
      }

      const before = snapshotTables(api.db());
      const big = (name: string) => ({ metadata: { name }, spec: { containers: [{ name: 'a', image: 'b' }], pad: 'x'.repeat(1024 * 1024) } });
      let refused: { message: string; extensions?: Record<string, any> } | undefined;
      for (let i = 0; i < 40 && !refused; i++) {
        const res = await api.gql(CREATE_POD, { i: big(`full-${i}`) });
        refused = res.errors?.[0];
      }
      expect(refused?.extensions?.code).toBe('STORAGE_FULL');
      expect(refused?.extensions?.retryable).toBe(true);
      expect(refused?.message).toContain('kubeql.db');
      // The refused write left nothing (the ones before it, while there was room, may have been stored).
      const afterRefusal = snapshotTables(api.db());
      const again = await api.gql(CREATE_POD, { i: big('full-again') });
      expect(again.errors?.[0].extensions?.code).toBe('STORAGE_FULL');
      expect(snapshotTables(api.db())).toBe(afterRefusal);
      expect(afterRefusal.length).toBeGreaterThanOrEqual(before.length);

      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.text()).toMatch(/kubeql\.db.*full/);
      expect((await fetch(`${base}/livez`)).status).toBe(200);

      // Reads and watches go on.
      const list = await api.ok('{ pods { edges { node { metadata { name } } } } }');
      expect(list.pods.edges.map((e: any) => e.node.metadata.name)).toContain('before');
      expect(watch.socket.readyState).toBe(watch.socket.OPEN);

      // Space returns: ready again, writes succeed, the watch sees them.
      rmSync(filler);
      const readyAgain = await fetch(`${base}/readyz`);
      expect(readyAgain.status).toBe(200);
      await api.ok(CREATE_POD, { i: POD('after') });
      await watch.waitFor(() => watch.of('w').some((m) => m.payload?.data?.watch?.object?.metadata?.name === 'after'));
      watch.close();
    } finally {
      await api.close();
    }
  }, 120_000);
});
