/**
 * `npm run start:ha` end to end: a PostgreSQL of its own in the data directory, three API servers on
 * its one log, and the clients given all three. Every server answers at the same head; kq is
 * configured with them all; after kill -9 of the server every client started on, the plane goes on
 * on the others (a Deployment made afterwards gets Running pods); Ctrl-C stops every process,
 * PostgreSQL included. Skipped, saying how to install it, where PostgreSQL is absent (CI fails).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresBinDir } from '../../server/components/local-postgres.js';
import { compiled } from '../support/build.js';
import { kq } from '../support/kq.js';
import { freePort, graphql, processGroupGone } from '../support/npm-start.js';
import { eventually } from '../support/processes.js';

const root = resolve(import.meta.dirname, '../..');
const missing = postgresBinDir() ? undefined : 'PostgreSQL is not installed: apt-get install -y postgresql to run the start:ha test';
if (missing && process.env.CI === 'true') throw new Error(missing);
if (missing) console.warn(missing);

let plane: ChildProcess;
let output = '';
let dataDir: string;
let urls: string[] = [];
let token: string;

const gql = (url: string, query: string, variables?: Record<string, unknown>) => graphql(url, token, query, variables);
const groupGone = () => processGroupGone(plane.pid!);

/** The PID of the process listening on loopback `port` (from /proc/net/tcp's socket inode to the process holding it). */
function listenerPid(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const row = readFileSync('/proc/net/tcp', 'utf8').split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[1] === local && f[3] === '0A');
  if (!row) throw new Error(`nothing listens on 127.0.0.1:${port}`);
  const socket = `socket:[${row[9]}]`;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readdirSync(`/proc/${entry}/fd`).some((fd) => readlinkSync(`/proc/${entry}/fd/${fd}`) === socket)) return Number(entry);
    } catch {
      // a process that exited while we looked, or one not ours to read
    }
  }
  throw new Error(`no process holds the socket of 127.0.0.1:${port}`);
}

describe.skipIf(missing !== undefined)('npm run start:ha', () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kubeql-ha-'));
    // PostgreSQL runs as its own unprivileged user, who must be able to pass through the data directory.
    chmodSync(dataDir, 0o755);
    const env = { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', KUBEQL_AGENTS_DEBUG_PORT: String(await freePort()), KUBEQL_CONFIG: join(dataDir, 'kq-config') };
    plane = spawn('npm', ['run', 'start:ha'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    plane.stdout!.on('data', (d) => (output += d));
    plane.stderr!.on('data', (d) => (output += d));
    const line = (await eventually(() => output.match(/GraphQL at (\S+(?:, \S+)*);/)?.[1], 120_000, () => output))!;
    urls = line.split(', ');
    token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
    await eventually(async () => {
      const { nodes } = await gql(urls[1], `{ nodes { edges { node { status { conditions { type status } } } } } }`);
      return nodes.edges.length === 3 && nodes.edges.every((e: any) => e.node.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
    }, 60_000, () => output);
  }, 240_000);

  afterAll(() => {
    if (plane?.pid && !groupGone()) process.kill(-plane.pid, 'SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs PostgreSQL in the data directory and three API servers on its one log', async () => {
    expect(urls).toHaveLength(3);
    expect(new Set(urls).size).toBe(3);
    expect(existsSync(join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    // A write on one server is read on the others, at one head.
    await gql(urls[0], `mutation { createNamespace(input: { metadata: { name: "ha" } }) { metadata { name } } }`);
    const { revision } = await gql(urls[0], '{ revision }');
    for (const url of urls.slice(1))
      await eventually(async () => (await gql(url, `{ namespace(name: "ha") { metadata { resourceVersion } } revision }`)).revision >= revision, 15_000);
    // kq is configured with every server.
    const config = JSON.parse(readFileSync(join(dataDir, 'kq-config'), 'utf8')) as { server: string[] };
    expect(config.server).toEqual(urls.map((u) => u.replace(/\/graphql$/, '')));
    expect(await kq(['get', 'ns', 'ha', '-o', 'name'], { env: { KUBEQL_CONFIG: join(dataDir, 'kq-config') } })).toMatchObject({ code: 0, stdout: 'namespace/ha\n' });
  });

  it('after kill -9 of the first API server the plane goes on on the others', async () => {
    const pid = listenerPid(Number(new URL(urls[0]).port));
    // It is the plane's own API server: in the plane's process group, running api/main.
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toMatch(/api\/main\.js/);
    process.kill(pid, 'SIGKILL');
    await eventually(() => /apiserver-1 exited .*carries on on the other 2/.test(output), 15_000, () => output);
    await gql(urls[1], `mutation($m: String!) { apply(manifests: $m) { revision } }`, {
      m: `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: after, namespace: ha }\nspec:\n  replicas: 3\n  selector: { matchLabels: { app: after } }\n  template:\n    metadata: { labels: { app: after } }\n    spec: { containers: [{ name: c, image: nginx }] }\n`,
    });
    await eventually(async () => {
      const { pods } = await gql(urls[2], `{ pods(namespace: "ha", labelSelector: "app=after") { edges { node { status { phase } } } } }`);
      return pods.edges.length === 3 && pods.edges.every((e: any) => e.node.status.phase === 'Running');
    }, 60_000, () => output);
    // kq fails over too.
    expect(await kq(['get', 'deploy', 'after', '-n', 'ha', '-o', 'name'], { env: { KUBEQL_CONFIG: join(dataDir, 'kq-config') } })).toMatchObject({ code: 0, stdout: 'deployment.apps/after\n' });
  }, 120_000);

  it('Ctrl-C stops every process, PostgreSQL included', async () => {
    process.kill(-plane.pid!, 'SIGINT');
    await eventually(groupGone, 30_000, () => output);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  }, 60_000);
});

describe.skipIf(missing !== undefined)('npm run start:ha refuses, saying why and starting nothing', () => {
  /** ha-main with `env`, to its exit; every refusal below comes before any API server starts. */
  const refuse = (env: Record<string, string>) => {
    const r = spawnSync(process.execPath, [compiled('ha-main')], { cwd: root, env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', KUBEQL_LOG_FORMAT: 'json', ...env }, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, output: `${r.stdout}${r.stderr}` };
  };

  it('a data directory PostgreSQL cannot use, a bad setting or a database URL of another kind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeql-ha-refuse-'));
    try {
      const closed = join(dir, 'closed');
      mkdirSync(closed, { mode: 0o700 });
      const cluttered = join(dir, 'cluttered');
      mkdirSync(join(cluttered, 'postgres'), { recursive: true });
      writeFileSync(join(cluttered, 'postgres', 'notes.txt'), 'mine');
      chmodSync(dir, 0o755);
      chmodSync(cluttered, 0o755);
      const results = {
        closed: refuse({ DATA_DIR: closed }),
        cluttered: refuse({ DATA_DIR: cluttered }),
        servers: refuse({ DATA_DIR: join(dir, 'x'), KUBEQL_API_SERVERS: '0' }),
        url: refuse({ DATA_DIR: join(dir, 'y'), KUBEQL_DATABASE_URL: 'mysql://db/kubeql' }),
      };
      if (process.getuid?.() === 0) expect(results.closed).toMatchObject({ code: 1, output: expect.stringContaining('the postgres user cannot reach') });
      expect(results.cluttered).toMatchObject({ code: 1, output: expect.stringContaining('is neither empty nor a PostgreSQL cluster') });
      expect(results.servers).toMatchObject({ code: 1, output: expect.stringContaining('KUBEQL_API_SERVERS must be a whole number from 1 to 16, not 0') });
      expect(results.url).toMatchObject({ code: 1, output: expect.stringContaining('KUBEQL_DATABASE_URL must be a postgres:// URL, not mysql:') });
      // Nothing was left behind in the user's directory.
      expect(readdirSync(join(cluttered, 'postgres'))).toEqual(['notes.txt']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
