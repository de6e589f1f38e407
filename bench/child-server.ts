/** Starts bench/serve.ts in a child process on a fresh temporary data dir; stop() kills it and removes the dir. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ensureCompiled } from './compiled.js';
import { youngGenerationArgs } from '../server/components/young-generation.js';

export interface ChildServer {
  url: string;
  pid: number;
  dataDir: string;
  /** The server process's CPU time so far (µs), as process.cpuUsage() reports it there. */
  cpuUsage(): Promise<NodeJS.CpuUsage>;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes its data dir. Safe to call twice. */
  stop(): Promise<void>;
}

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function startChildServer(options: { synchronous?: 'FULL' | 'DURABLE' | 'NORMAL'; env?: Record<string, string> } = {}): Promise<ChildServer> {
  ensureCompiled();
  const dataDir = fs.mkdtempSync(os.tmpdir() + '/kubeql-bench-');
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stopped = false;

  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child!.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  // Even if the parent dies abruptly, the child sees its stdin close and stops; on a normal exit
  // with the child still running, kill it synchronously.
  const onExit = () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  // Ctrl-C or a kill: exit, which runs onExit.
  const onSignal = (signal: NodeJS.Signals) => process.exit(signal === 'SIGINT' ? 130 : 143);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const unhook = () => {
    process.removeListener('exit', onExit);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  };

  try {
    // With V8's young generation as `npm start` gives the API server (server/components/young-generation.ts).
    child = spawn(process.execPath, [...youngGenerationArgs(), '--import', 'tsx', 'bench/serve.ts'], {
      cwd: projectRoot,
      env: { ...process.env, ...options.env, DATA_DIR: dataDir, KUBEQL_SYNC: options.synchronous ?? 'DURABLE' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const c = child;
    exited = new Promise((resolve) => c.once('exit', () => resolve()));
    const lines = createInterface({ input: c.stdout! });
    const first = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('bench server did not start within 30 s')), 30_000);
      c.once('error', reject);
      c.once('exit', (code, signal) => reject(new Error(`bench server exited before printing its URL (code ${code}, signal ${signal})`)));
      lines.once('line', (line) => {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(line));
        } catch {
          reject(new Error(`bench server printed an unexpected line: ${line}`));
        }
      });
    });
    const waiting: ((usage: NodeJS.CpuUsage) => void)[] = [];
    lines.on('line', (line) => {
      try {
        const message = JSON.parse(line);
        if (message.cpu) waiting.shift()?.(message.cpu);
      } catch {
        // not ours
      }
    });
    return {
      url: first.url,
      pid: first.pid,
      dataDir,
      cpuUsage: () =>
        new Promise((resolve) => {
          waiting.push(resolve);
          c.stdin!.write('cpu\n');
        }),
      stop: async () => {
        await stop();
        unhook();
      },
    };
  } catch (error) {
    await stop();
    unhook();
    throw error;
  }
}
