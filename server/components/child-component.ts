/** A component run as a child process of `npm start` (`node --import tsx server/<entry>`), its output prefixed with its name. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

const root = resolve(import.meta.dirname, '../..');

export interface ChildComponent {
  name: string;
  child: ChildProcess;
  /** Resolves with the first output line that matches, or rejects if the process exits first. */
  waitForLine(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL after `ms`; resolves when it has exited. */
  stop(ms?: number): Promise<void>;
  exited: Promise<number | null>;
}

export function startChildComponent(name: string, entry: string, args: string[] = [], env: Record<string, string | undefined> = {}): ChildComponent {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'server', entry), ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watchers: Array<{ pattern: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on('error', (error) => process.stderr.write(`[${name}] output stream error: ${error.message}\n`));
    createInterface({ input: stream }).on('line', (line) => {
      process.stdout.write(`[${name}] ${line}\n`);
      for (const w of [...watchers]) {
        const m = line.match(w.pattern);
        if (m) {
          watchers.splice(watchers.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
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
    waitForLine(pattern, ms = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} did not print ${pattern} within ${ms} ms`)), ms);
        watchers.push({ pattern, resolve: (m) => (clearTimeout(timer), resolve(m)) });
        void exited.then((code) => (clearTimeout(timer), reject(new Error(`${name} exited (code ${code}) before printing ${pattern}`))));
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
