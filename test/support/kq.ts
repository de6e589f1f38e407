/** The real `kq` as a child process (the compiled dist/cli/main.js, built when stale), isolated from the developer's config and environment. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { compiled, ensureBuilt } from './build.js';

const root = resolve(import.meta.dirname, '../..');

export interface KqResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface KqOptions {
  /** Written to stdin, then closed. */
  stdin?: string;
  env?: Record<string, string>;
  cwd?: string;
  /** Run bin/kq.js (the package bin) instead of dist/cli/main.js. */
  bin?: boolean;
}

/** The environment kq sees in tests: no KUBEQL_* of the developer's, a config path that does not exist. */
function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('KUBEQL_')));
  return { ...env, KUBEQL_CONFIG: resolve(root, 'test/cli/no-such-kq-config'), ...extra };
}

function spawnKq(args: string[], options: KqOptions): ChildProcess {
  ensureBuilt();
  const entry = options.bin ? [resolve(root, 'bin/kq.js')] : [compiled('cli/main')];
  return spawn(process.execPath, [...entry, ...args], {
    cwd: options.cwd ?? root,
    env: isolatedEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export function kq(args: string[], options: KqOptions = {}): Promise<KqResult> {
  const child = spawnKq(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdin!.end(options.stdin ?? '');
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** A kq that keeps running (`get -w`): its output so far, and a way to stop it. */
export interface RunningKq {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  stop(): Promise<void>;
}

export function startKq(args: string[], options: KqOptions = {}): RunningKq {
  const child = spawnKq(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdin!.end();
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('close', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** kq bound to one API server: `--server <base URL> --token <token>` before the arguments. */
export function kqFor(server: { url: string; token?: string }) {
  const base = server.url.replace(/\/graphql$/, '');
  const flags = ['--server', base, ...(server.token ? ['--token', server.token] : [])];
  return {
    run: (args: string[], options: KqOptions = {}) => kq([...args, ...flags], options),
    start: (args: string[], options: KqOptions = {}) => startKq([...args, ...flags], options),
    flags,
  };
}
