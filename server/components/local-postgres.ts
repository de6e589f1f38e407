/**
 * A PostgreSQL of the plane's own, for `npm run start:ha`: initialised into a directory on first
 * use (initdb, a password of its own, scram-sha-256), started on a loopback port and on a Unix
 * socket in that directory (closed to other users), a `kubeql` database created once, stopped by
 * its postmaster's PID. The API servers connect through the socket: each write batch sends its
 * rows as one query of about 1.3 KB a create, and over loopback TCP each such write cost the
 * server ~100 µs (strace); through the socket one server wrote 5% faster in `bench -- ha`. A
 * directory whose socket path would pass the system's limit (sun_path), or whose name holds what
 * PostgreSQL's list of socket directories would read otherwise (a comma, a space, a quote, a
 * backslash), gets none: then TCP. PostgreSQL
 * refuses to run as root: when we are root its programs run as the `postgres` system user
 * (runuser), and the directory is handed to that user.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export interface LocalPostgres {
  /** postgres://kubeql:…@localhost:PORT/kubeql?host=<dir> through the socket, else postgres://kubeql:…@127.0.0.1:PORT/kubeql */
  url: string;
  port: number;
  /** Resolves with the exit code when the server exits. */
  exited: Promise<number | null>;
  /** Fast shutdown (SIGINT to the postmaster); resolves when it has exited. */
  stop(): Promise<void>;
  /** The URL of database `name` on this server, created when absent (a benchmark's fresh logs). */
  database(name: string): string;
}

export interface LocalPostgresOptions {
  /** The cluster's directory (created by initdb when absent or empty). */
  dir: string;
  /** Where the password is kept (mode 0600), outside the cluster's directory. */
  passwordFile: string;
  port: number;
  /** Each line PostgreSQL logs. */
  onLine?: (line: string) => void;
}

/** The longest socket path Linux takes (sun_path is 108 bytes with its terminating NUL). */
const MAX_SOCKET_PATH = 107;

/** A problem a person can fix, said without a stack trace. */
export class LocalPostgresError extends Error {}

/** The newest installed server's programs: KUBEQL_POSTGRES_BIN, else Debian's /usr/lib/postgresql/<major>/bin, else `pg_config --bindir`. */
export function postgresBinDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const has = (dir: string) => existsSync(join(dir, 'postgres')) && existsSync(join(dir, 'initdb'));
  if (env.KUBEQL_POSTGRES_BIN) return has(env.KUBEQL_POSTGRES_BIN) ? env.KUBEQL_POSTGRES_BIN : undefined;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root).filter((d) => has(join(root, d, 'bin'))).sort((a, b) => Number(b) - Number(a));
    if (majors.length) return join(root, majors[0], 'bin');
  }
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const dir = pgConfig.status === 0 ? pgConfig.stdout.trim() : '';
  return dir && has(dir) ? dir : undefined;
}

const asRoot = () => userInfo().uid === 0;

/** The system user PostgreSQL runs as when we are root, as uid and gid. */
function serverUser(): { uid: number; gid: number } {
  try {
    return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) };
  } catch {
    throw new LocalPostgresError('running as root, PostgreSQL needs the unprivileged "postgres" system user, and there is none (apt-get install -y postgresql creates it)');
  }
}

/** `program` of the server's bin directory, as the unprivileged user when we are root. */
function command(bin: string, program: string, args: string[]): [string, string[]] {
  const path = join(bin, program);
  return asRoot() ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
}

function run(bin: string, program: string, args: string[], env: NodeJS.ProcessEnv = {}): { ok: boolean; output: string } {
  const [cmd, argv] = command(bin, program, args);
  const r = spawnSync(cmd, argv, { encoding: 'utf8', env: { ...process.env, ...env } });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim() };
}

/** Initialises the cluster directory when it has none; answers the password (kept in `passwordFile`). */
function initialise(bin: string, options: LocalPostgresOptions): string {
  const dir = resolve(options.dir);
  if (existsSync(join(dir, 'PG_VERSION'))) {
    if (!existsSync(options.passwordFile)) throw new LocalPostgresError(`${dir} holds a PostgreSQL cluster but ${options.passwordFile}, its password, is missing`);
    return readFileSync(options.passwordFile, 'utf8').trim();
  }
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new LocalPostgresError(`${dir} is neither empty nor a PostgreSQL cluster: move it away or choose another DATA_DIR`);
  // Only the cluster's own directory is closed to others: its parents must stay passable for its user.
  mkdirSync(dirname(dir), { recursive: true });
  if (!existsSync(dir)) mkdirSync(dir, { mode: 0o700 });
  const password = randomBytes(24).toString('base64url');
  // initdb reads the password from a file its user can read; it is removed at once.
  const scratch = mkdtempSync(join(tmpdir(), 'kubeql-pg-init-'));
  const pwfile = join(scratch, 'pw');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  try {
    if (asRoot()) {
      const { uid, gid } = serverUser();
      for (const path of [dir, scratch, pwfile]) chownSync(path, uid, gid);
      const reach = run(bin, 'postgres', ['--version']);
      if (!reach.ok) throw new LocalPostgresError(`cannot run PostgreSQL as the postgres user: ${reach.output}`);
      const access = spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-w', dir]);
      if (access.status !== 0)
        throw new LocalPostgresError(`the postgres user cannot reach ${dir} (a directory above it is closed to other users): choose a DATA_DIR it can reach, or set KUBEQL_DATABASE_URL to a PostgreSQL of your own`);
    }
    const init = run(bin, 'initdb', ['-D', dir, '-U', 'kubeql', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-instructions']);
    if (!init.ok) throw new LocalPostgresError(`initdb into ${dir} failed: ${init.output}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  mkdirSync(dirname(options.passwordFile), { recursive: true });
  writeFileSync(options.passwordFile, `${password}\n`, { mode: 0o600 });
  return password;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Initialises (first time), starts and waits for PostgreSQL; creates the `kubeql` database when absent. */
export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new LocalPostgresError('PostgreSQL\'s server programs were not found (apt-get install -y postgresql, or KUBEQL_POSTGRES_BIN=<its bin directory>); or set KUBEQL_DATABASE_URL to a PostgreSQL of your own');
  const dir = resolve(options.dir);
  const password = initialise(bin, options);
  const port = options.port;
  const socketDir = Buffer.byteLength(join(dir, `.s.PGSQL.${port}`)) <= MAX_SOCKET_PATH && !/[,\s\\'"]/.test(dir) ? dir : '';
  const [cmd, argv] = command(bin, 'postgres', [
    ...['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1'],
    ...['-c', `unix_socket_directories=${socketDir}`, '-c', 'unix_socket_permissions=0700', '-c', 'max_connections=200'],
  ]);
  const child: ChildProcess = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let last = '';
  for (const stream of [child.stdout!, child.stderr!])
    createInterface({ input: stream }).on('line', (line) => {
      last = line;
      options.onLine?.(line);
    });
  const exited = new Promise<number | null>((done) => {
    child.once('exit', (code) => done(code));
    child.once('error', () => child.pid === undefined && done(null));
  });
  let gone = false;
  void exited.then(() => (gone = true));
  const stop = async () => {
    if (gone) return;
    // The postmaster's own PID (runuser stands between it and us): SIGINT is a fast shutdown.
    const pidFile = join(dir, 'postmaster.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : undefined;
    try {
      if (pid) process.kill(pid, 'SIGINT');
      else child.kill('SIGINT');
    } catch {
      // already gone
    }
    const timer = setTimeout(() => pid && process.kill(pid, 'SIGQUIT'), 15_000);
    await exited;
    clearTimeout(timer);
  };

  const auth = { PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' };
  const deadline = Date.now() + 60_000;
  while (!run(bin, 'pg_isready', ['-h', '127.0.0.1', '-p', String(port), '-U', 'kubeql', '-d', 'postgres', '-q']).ok) {
    if (gone) throw new LocalPostgresError(`PostgreSQL exited before it accepted connections: ${last}`);
    if (Date.now() > deadline) {
      await stop();
      throw new LocalPostgresError(`PostgreSQL did not accept connections on 127.0.0.1:${port} within 60 s: ${last}`);
    }
    await sleep(100);
  }
  const database = (name: string): string => {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new LocalPostgresError(`a database name of lower-case letters, digits and _, not ${name}`);
    const exists = run(bin, 'psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'kubeql', '-d', 'postgres', '-tAc', `SELECT 1 FROM pg_database WHERE datname = '${name}'`], auth);
    if (!exists.ok) throw new LocalPostgresError(`could not query PostgreSQL: ${exists.output}`);
    if (exists.output !== '1') {
      const created = run(bin, 'createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'kubeql', name], auth);
      if (!created.ok) throw new LocalPostgresError(`could not create the ${name} database: ${created.output}`);
    }
    return socketDir
      ? `postgres://kubeql:${encodeURIComponent(password)}@localhost:${port}/${name}?host=${encodeURIComponent(socketDir)}`
      : `postgres://kubeql:${encodeURIComponent(password)}@127.0.0.1:${port}/${name}`;
  };
  let url: string;
  try {
    url = database('kubeql');
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, exited, stop, database };
}
