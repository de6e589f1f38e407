/** Real component processes for end-to-end tests: the compiled components (dist/, built when stale) against a test API server, killed at the end. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { compiled } from './build.js';
import { tokenFor } from './tokens.js';

const root = resolve(import.meta.dirname, '../..');

export interface Component {
  child: ChildProcess;
  output(): string;
  /** SIGKILL, as a crash. */
  kill(): void;
  /** SIGTERM and wait for the exit (SIGKILL after `ms`). */
  stop(ms?: number): Promise<number | null>;
}

const running = new Set<Component>();

/** Starts `server/<entry>` (e.g. `controllers/main.ts`) with `args`; stdout and stderr are kept for diagnostics. */
export function startComponent(entry: string, args: string[], env: Record<string, string> = {}): Component {
  // Against a test API server, a component authenticates with its admin token unless told otherwise.
  const server = args[args.indexOf('--server') + 1];
  const token = args.includes('--server') && !args.includes('--token') && !env.KUBEQL_TOKEN ? tokenFor(server) : undefined;
  const child = spawn(process.execPath, [compiled(entry), ...args], {
    cwd: root,
    env: { ...process.env, ...(token ? { KUBEQL_TOKEN: token } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const component: Component = {
    child,
    output: () => out,
    kill() {
      child.kill('SIGKILL');
      running.delete(component);
    },
    stop(ms = 5000) {
      running.delete(component);
      if (child.exitCode !== null) return Promise.resolve(child.exitCode);
      return new Promise((done) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), ms);
        child.once('exit', (code) => {
          clearTimeout(timer);
          done(code);
        });
        child.kill('SIGTERM');
      });
    },
  };
  running.add(component);
  return component;
}

/** Kills whatever a test file left running. */
export async function stopAllComponents(): Promise<void> {
  await Promise.all([...running].map((c) => c.stop()));
}

/** Polls `check` until it returns a truthy value (or throws after `ms`, with `describe()` in the message). */
export async function eventually<T>(check: () => Promise<T> | T, ms = 15_000, describe: () => string = () => ''): Promise<T> {
  const started = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() - started > ms) throw new Error(`not reached within ${ms} ms ${describe()} ${last ? String(last) : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
