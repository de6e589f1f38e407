/**
 * etcd, the peer the write benchmark measures Kubeql against in the same run: Debian's etcd 3.4
 * (`apt-get install -y etcd-server`) started on a temporary data dir, listening on 127.0.0.1 only
 * on free ports, with its default durability (it fsyncs its WAL before answering a put). The client
 * is the v3 JSON gateway (POST /v3/kv/put, base64 key and value) over node:http with a keep-alive
 * agent: the same client code path, JSON over HTTP/1.1 on loopback, as Kubeql's GraphQL client.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../server/components/free-port.js';

export interface Etcd {
  url: string;
  pid: number;
  version: string;
  /** The etcd process's CPU time so far (µs, user and system), from /proc. */
  cpuUsage(): Promise<NodeJS.CpuUsage>;
  /** One put of `value` at `key`; rejects unless etcd answered 200 with a header revision. */
  put(key: string, value: Buffer): Promise<void>;
  stop(): Promise<void>;
}

const ETCD = '/usr/bin/etcd';

/** etcd's version, or undefined (with why) when it cannot be run here. */
export function etcdVersion(): { version?: string; missing?: string } {
  const r = spawnSync(ETCD, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return { missing: `${ETCD} cannot be run (${r.error?.message ?? `exit ${r.status}`}); install it with: apt-get install -y etcd-server` };
  return { version: /etcd Version: (\S+)/.exec(r.stdout)?.[1] ?? r.stdout.trim().split('\n')[0] };
}

export async function startEtcd(maxSockets: number): Promise<Etcd> {
  const { version, missing } = etcdVersion();
  if (missing) throw new Error(missing);
  const dataDir = mkdtempSync(join(tmpdir(), 'kubeql-bench-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child: ChildProcess = spawn(
    ETCD,
    [
      '--name', 'bench',
      '--data-dir', dataDir,
      '--listen-client-urls', url,
      '--advertise-client-urls', url,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `bench=${peer}`,
      '--log-level', 'error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });

  function post(path: string, body: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { agent, host: '127.0.0.1', port: clientPort, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async function put(key: string, value: Buffer): Promise<void> {
    const { status, text } = await post('/v3/kv/put', JSON.stringify({ key: Buffer.from(key).toString('base64'), value: value.toString('base64') }));
    // Parsed as Kubeql's answers are, so both clients do the same work per response.
    const parsed = JSON.parse(text) as { header?: { revision?: string } };
    if (status !== 200 || !parsed.header?.revision) throw new Error(`etcd put answered ${status}: ${text.slice(0, 300)}`);
  }

  async function stop(): Promise<void> {
    agent.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    process.removeListener('exit', onExit);
    rmSync(dataDir, { recursive: true, force: true });
  }

  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await put('bench/ready', Buffer.from('1'));
      break;
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`etcd did not start: ${(error as Error).message}\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const ticks = 100; // USER_HZ on Linux
  return {
    url,
    pid: child.pid!,
    version: version!,
    async cpuUsage() {
      // /proc/PID/stat: fields 14 and 15 (utime, stime) in clock ticks, after the ")" closing the name.
      const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return { user: (Number(fields[11]) / ticks) * 1e6, system: (Number(fields[12]) / ticks) * 1e6 };
    },
    put,
    stop,
  };
}
