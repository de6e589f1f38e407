/**
 * Where a PostgreSQL API server keeps its replica: under its data directory, in a folder named for
 * its process. A server killed with SIGKILL cannot remove its copy; the next server (or store)
 * opened on the same directory removes it, and never touches the folders of servers still running.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryAllocations } from '../../server/store/registry-allocations.js';
import { openPostgresStore } from '../../server/store/postgres/create-store.js';
import { postgresMissing, startPostgres, type PostgresServer } from '../support/postgres.js';
import { eventually, startComponent, stopAllComponents } from '../support/processes.js';

let postgres: PostgresServer | undefined;
const dirs: string[] = [];

beforeAll(async () => {
  if (!postgresMissing) postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  await stopAllComponents();
  await postgres?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const foldersOf = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

describe.skipIf(postgresMissing !== undefined)('replica files of a crashed API server', () => {
  it('are under the data directory, and removed by the next server once their process is gone', async () => {
    const databaseUrl = await postgres!.createDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'kubeql-pg-replicas-'));
    dirs.push(dataDir);
    const replicas = join(dataDir, 'replicas');
    const start = () => {
      const proc = startComponent('api/main.ts', [], { PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', KUBEQL_DATABASE_URL: databaseUrl });
      return eventually(() => /listening on http/.test(proc.output()), 30_000, () => proc.output()).then(() => proc);
    };
    // One after the other: the first writes the data directory's admin token.
    const crashed = await start();
    const running = await start();
    const mine = (pid: number | undefined) => foldersOf(replicas).filter((f) => f.startsWith(`kubeql-replica-${pid}-`));
    expect(mine(crashed.child.pid)).toHaveLength(1);
    expect(mine(running.child.pid)).toHaveLength(1);

    crashed.kill();
    await eventually(() => crashed.child.exitCode !== null || crashed.child.signalCode !== null);
    // SIGKILL: the server could not clean up after itself.
    expect(mine(crashed.child.pid)).toHaveLength(1);

    const store = await openPostgresStore({ url: databaseUrl, allocationsOf: registryAllocations, replicaDir: replicas });
    try {
      expect(mine(crashed.child.pid)).toEqual([]);
      expect(mine(running.child.pid)).toHaveLength(1);
      expect(mine(process.pid)).toHaveLength(1);
      expect(store.replicaFile.startsWith(join(replicas, `kubeql-replica-${process.pid}-`))).toBe(true);
    } finally {
      await store.shutdown();
    }
    // A clean shutdown removes its own folder.
    expect(mine(process.pid)).toEqual([]);
    expect(await running.stop()).toBe(0);
    expect(foldersOf(replicas)).toEqual([]);
  });
});
