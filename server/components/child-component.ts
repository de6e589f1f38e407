/**
 * A component run as a child process of `npm start`, its output prefixed with its name. It runs
 * the way its parent runs: compiled (`node dist/<entry>.js`) or, in development, TypeScript
 * (`node --import tsx server/<entry>.ts`). The child reports where it listens over the IPC channel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { RUNNING_COMPILED } from '../package-root.js';

export interface ChildComponent {
  name: string;
  child: ChildProcess;
  /** Resolves with the first IPC message that `accept` maps to a value, or rejects if the process exits first. */
  waitForMessage<T>(accept: (message: unknown) => T | undefined, ms?: number): Promise<T>;
  /** SIGTERM, then SIGKILL after `ms`; resolves when it has exited. */
  stop(ms?: number): Promise<void>;
  exited: Promise<number | null>;
}

/** `entry` is the module's path under server/ without its extension, e.g. `api/main`; `nodeArgs` go to node itself (`--max-old-space-size=…`). */
export function startChildComponent(name: string, entry: string, args: string[] = [], env: Record<string, string | undefined> = {}, nodeArgs: string[] = []): ChildComponent {
  const file = fileURLToPath(new URL(`../${entry}${RUNNING_COMPILED ? '.js' : '.ts'}`, import.meta.url));
  const child = spawn(process.execPath, [...nodeArgs, ...(RUNNING_COMPILED ? [] : ['--import', 'tsx']), file, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on('error', (error) => process.stderr.write(`[${name}] output stream error: ${error.message}\n`));
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`));
  }
  const exited = new Promise<number | null>((done) => {
    child.once('exit', (code) => done(code));
    // A process that could not be started (or signalled) reports it here, not with 'exit'.
    child.once('error', (error) => {
      process.stderr.write(`[${name}] ${error.message}\n`);
      if (child.exitCode === null && child.pid === undefined) done(null);
    });
  });
  return {
    name,
    child,
    exited,
    waitForMessage(accept, ms = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} did not report within ${ms} ms`)), ms);
        const onMessage = (message: unknown) => {
          const value = accept(message);
          if (value === undefined) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(value);
        };
        child.on('message', onMessage);
        void exited.then((code) => (clearTimeout(timer), reject(new Error(`${name} exited (code ${code}) before reporting`))));
      });
    },
    async stop(ms = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}
