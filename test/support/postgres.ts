/**
 * A real PostgreSQL for a test file: initdb into a temporary directory, started on a free loopback
 * port as an unprivileged user (the `postgres` system user when the tests run as root, which
 * PostgreSQL refuses), a fresh database per test (CREATE DATABASE), stopped by its PID afterwards.
 * Where the server binaries are absent the tests are skipped with a message saying how to install
 * them; under CI=true their absence fails (.ci/run installs them).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../server/components/free-port.js';

/** The newest installed server's bin directory (Debian: /usr/lib/postgresql/<major>/bin), or undefined. */
function findBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return majors.length ? join(root, majors[0], 'bin') : undefined;
}

const binDir = findBinDir();
export const postgresMissing = binDir
  ? undefined
  : 'PostgreSQL server binaries not found under /usr/lib/postgresql: install them with `apt-get install -y postgresql` to run the PostgreSQL store tests';
if (postgresMissing && process.env.CI === 'true') throw new Error(postgresMissing);

export interface PostgresServer {
  /** A URL of a new, empty database on the server. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
  /** Stops it at once, synchronously (an immediate shutdown), for a process that is exiting. */
  stopNow(): void;
}

/** Runs a PostgreSQL program as an unprivileged user. */
function asServerUser(program: string, args: string[]): { command: string; args: string[] } {
  const path = join(binDir!, program);
  return userInfo().uid === 0 ? { command: 'runuser', args: ['-u', 'postgres', '--', path, ...args] } : { command: path, args };
}

export async function startPostgres(): Promise<PostgresServer> {
  if (!binDir) throw new Error(postgresMissing);
  const dir = mkdtempSync(join(tmpdir(), 'kubeql-pg-'));
  const data = join(dir, 'data');
  if (userInfo().uid === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const init = asServerUser('initdb', ['-D', data, '-U', 'kubeql', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  execFileSync(init.command, init.args, { stdio: 'pipe' });
  const port = await freePort();
  const run = asServerUser('postgres', ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200']);
  const child: ChildProcess = spawn(run.command, run.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const admin = `postgres://kubeql@127.0.0.1:${port}/postgres`;
  await waitUntilReady(admin, child, () => stderr);
  let databases = 0;
  return {
    async createDatabase() {
      const name = `kq_${++databases}`;
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://kubeql@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      // The postmaster's own PID (runuser may stand between it and us): SIGINT is a fast shutdown.
      const pid = postmasterPid(data);
      if (pid) process.kill(pid, 'SIGINT');
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    },
    stopNow() {
      const pid = postmasterPid(data);
      // SIGQUIT: the immediate shutdown; its files go with the directory.
      if (pid) process.kill(pid, 'SIGQUIT');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postmasterPid(data: string): number | undefined {
  const pidFile = join(data, 'postmaster.pid');
  return existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : undefined;
}

async function waitUntilReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`PostgreSQL exited (${child.exitCode}): ${stderr()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not accept connections within 30 s: ${(error as Error).message}\n${stderr()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

let shared: Promise<PostgresServer> | undefined;

/**
 * One PostgreSQL for this test process, started on first use and stopped when the process exits:
 * KUBEQL_TEST_BACKEND=postgres runs the API suites' servers (startTestApi) on it, a database each.
 */
export function sharedPostgres(): Promise<PostgresServer> {
  shared ??= startPostgres().then((server) => {
    process.once('exit', () => server.stopNow());
    return server;
  });
  return shared;
}
