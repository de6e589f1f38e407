/**
 * An API server as `npm run apiserver` runs it (dist/api/main.js in a process of its own), for
 * benchmarks that need several on one log: PORT 0, the environment given (DATA_DIR,
 * KUBEQL_DATABASE_URL, ...); it reports its URL over IPC. CPU time is read from /proc.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { entryArgs } from './compiled.js';

export interface ApiProcess {
  url: string;
  pid: number;
  /** CPU time so far (µs, user and system), from /proc. */
  cpuUsage(): NodeJS.CpuUsage;
  stop(): Promise<void>;
}

const root = resolve(import.meta.dirname, '..');

export async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const child = spawn(process.execPath, entryArgs('api/main'), {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', KUBEQL_LOG_FORMAT: 'json', PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error('the API server did not report within 60 s')), 60_000);
    child.once('exit', (code) => fail(new Error(`the API server exited (code ${code}) before reporting`)));
    child.on('message', (m: { type?: string; url?: string }) => {
      if (m?.type !== 'listening' || !m.url) return;
      clearTimeout(timer);
      done(m.url);
    });
  });
  return {
    url,
    pid: child.pid!,
    cpuUsage() {
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return { user: (Number(fields[11]) / 100) * 1e6, system: (Number(fields[12]) / 100) * 1e6 };
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      process.removeListener('exit', onExit);
    },
  };
}
