/**
 * The agents process keeps its connections to the API server bounded, whatever its node count:
 * with a token per node, the HTTP requests of every node share two pools (heartbeats and the rest)
 * and each node's watch has one WebSocket, opened once. Counted by the kernel (the process's TCP
 * connections to the API server's port) and by the process itself (its debug endpoint), over
 * several heartbeat intervals after every node registered: never above the bound, no connection
 * closed and opened again, and every node's Lease renewed meanwhile.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { eventually, startComponent, stopAllComponents, type Component } from '../support/processes.js';

const NODES = 300;
const LEASE_INTERVAL_MS = 2000;
/** The agents' pools (server/agent/agents.ts defaults): heartbeats, workload. */
const HEARTBEAT_CONNECTIONS = 32;
const WORKLOAD_CONNECTIONS = 64;
/** One WebSocket per node, and the two pools. */
const BOUND = NODES + HEARTBEAT_CONNECTIONS + WORKLOAD_CONNECTIONS;

let api: TestApi;
let agents: Component;
let debugUrl: string;

/** Established TCP connections from process `pid` to `port` (its sockets' inodes, matched in /proc/net/tcp). */
function connectionsOf(pid: number, port: number): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const remote = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let n = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6'])
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local, remote, state (01: ESTABLISHED), ..., inode (the tenth field)
      if (f[2]?.endsWith(remote) && f[3] === '01' && inodes.has(f[9])) n++;
    }
  return n;
}

interface Connections {
  http: Record<'heartbeat' | 'workload', { open: number; opened: number; waiting: number; max: number }>;
  webSocket: { started: number; inProgress: number; waiting: number };
}
const debug = async <T>(path: string): Promise<T> => (await fetch(`${debugUrl}${path}`)).json() as Promise<T>;
const renewals = async () => new Map((await debug<Array<{ name: string; leaseRenewals: number }>>('/nodes')).map((n) => [n.name, n.leaseRenewals]));

beforeAll(async () => {
  api = await startTestApi();
  agents = startComponent('agent/main.ts', ['--server', api.server.url, '--nodes', String(NODES), '--prefix', 'cn-', '--node-tokens', '--lease-interval-ms', String(LEASE_INTERVAL_MS), '--debug-port', '0']);
  await eventually(() => agents.output().includes(`all ${NODES} nodes registered`), 150_000, () => agents.output().slice(-2000));
  debugUrl = /"debug":"(http:\/\/[^"]+)"/.exec(agents.output())![1];
}, 180_000);

afterAll(async () => {
  await stopAllComponents();
  await api?.close();
});

describe('the agents process connections', () => {
  it(`${NODES} nodes with their own tokens hold at most ${BOUND} connections to the API server, none reopened over several heartbeats`, async () => {
    const port = Number(new URL(api.server.url).port);
    const pid = agents.child.pid!;
    // Registered (listed its pods), each node opens its watch's socket through the gate, once.
    const first = (await eventually(async () => {
      const c = await debug<Connections>('/connections');
      return c.webSocket.started >= NODES && c.webSocket.inProgress === 0 && c.webSocket.waiting === 0 ? c : undefined;
    }, 60_000)) as Connections;
    expect(first.webSocket.started).toBe(NODES);
    expect(first.http.heartbeat.max).toBe(HEARTBEAT_CONNECTIONS);
    expect(first.http.workload.max).toBe(WORKLOAD_CONNECTIONS);
    const renewedBefore = await renewals();

    const counts: number[] = [];
    let last = first;
    // Four heartbeat intervals: every node renews its Lease about four times.
    for (const until = Date.now() + 4 * LEASE_INTERVAL_MS; Date.now() < until; ) {
      counts.push(connectionsOf(pid, port));
      last = await debug<Connections>('/connections');
      await new Promise((r) => setTimeout(r, 250));
    }
    // The kernel's count: one socket per node's watch at least, never past the bound.
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(NODES);
    expect(Math.max(...counts)).toBeLessThanOrEqual(BOUND);
    // Flat: no watch socket and no heartbeat connection was closed and opened again.
    expect(last.webSocket.started).toBe(NODES);
    expect(last.http.heartbeat.opened).toBeLessThanOrEqual(HEARTBEAT_CONNECTIONS);
    expect(last.http.workload.opened).toBeLessThanOrEqual(WORKLOAD_CONNECTIONS);
    // Over the bounded pool, every node's heartbeat went on.
    const renewedAfter = await renewals();
    const stalled = [...renewedAfter].filter(([name, n]) => n <= (renewedBefore.get(name) ?? 0)).map(([name]) => name);
    expect(stalled).toEqual([]);
  }, 60_000);

  it('reports where its memory is: RSS, the V8 heap used and reserved, per space, and memory outside it', async () => {
    const m = await debug<{ rss: number; heapUsed: number; heapTotal: number; external: number; spaces: Record<string, { used: number; size: number }> }>('/memory');
    expect(m.heapUsed).toBeGreaterThan(0);
    expect(m.heapUsed).toBeLessThanOrEqual(m.heapTotal);
    expect(m.heapTotal).toBeLessThan(m.rss);
    expect(m.spaces.old_space.used).toBeGreaterThan(0);
    expect(m.spaces.new_space.size).toBeGreaterThan(0);
  });
});
