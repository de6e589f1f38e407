/**
 * `npm start` end to end: the whole plane (API server, controller-manager, scheduler, 3 simulated
 * nodes) as child processes of the compiled build, the examples applied through GraphQL, and Ctrl-C
 * stopping everything. It runs with LOG_LEVEL=warn: starting waits on /readyz, not on a log line.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL, kubectlPresent } from '../support/kubectl.js';
import { freePort, graphql, processGroupGone } from '../support/npm-start.js';
import { eventually } from '../support/processes.js';

const root = resolve(import.meta.dirname, '../..');
let plane: ChildProcess;
let output = '';
let dataDir: string;
let url: string;
let token: string;
let debugPort: number;

const gql = (query: string, variables?: Record<string, unknown>) => graphql(url, token, query, variables);
const apply = (file: string) => gql(`mutation($m: String!) { apply(manifests: $m) { objects { kind name action } } }`, { m: readFileSync(join(root, 'examples', file), 'utf8') });
const pod = async (name: string) => (await gql(`query($n: String!) { pod(namespace: "default", name: $n) { manifest } }`, { n: name })).pod?.manifest;
/** The process group is gone: every process `npm start` started has exited. */
const groupGone = () => processGroupGone(plane.pid!);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kubeql-start-'));
  // The agents' debug endpoint logs its address at info, which LOG_LEVEL=warn hides: give it a port.
  debugPort = await freePort();
  // Its own process group, so the test can do what Ctrl-C in a terminal does: signal the whole group.
  plane = spawn('npm', ['start'], { cwd: root, env: { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', KUBEQL_AGENTS_DEBUG_PORT: String(debugPort) }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  plane.stdout!.on('data', (d) => (output += d));
  plane.stderr!.on('data', (d) => (output += d));
  // Five Node processes starting on a busy CI machine: generous deadlines.
  url = (await eventually(() => output.match(/GraphQL at (http:\/\/\S+)/)?.[1], 60_000, () => output))!;
  token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  // Nothing is logged below warn: the nodes are seen through the API.
  await eventually(async () => {
    const { nodes } = await gql(`{ nodes { edges { node { status { conditions { type status } } } } } }`);
    return nodes.edges.length === 3 && nodes.edges.every((e: any) => e.node.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
  }, 60_000, () => output);
}, 180_000);

afterAll(async () => {
  if (plane?.pid && !groupGone()) process.kill(-plane.pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('prints the GraphQL URL and serves it, from the compiled build, logging nothing below warn', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(existsSync(join(root, 'dist/main.js'))).toBe(true);
    expect(output).not.toMatch(/"level":"info"/);
    const { nodes } = await gql(`{ nodes { edges { node { metadata { name labels } } } } }`);
    expect(nodes.edges.map((e: any) => e.node.metadata.name).sort()).toEqual(['node-0', 'node-1', 'node-2']);
  });

  it('writes a kubeconfig into the data directory, prints the export line, and kubectl reads the cluster with it', async () => {
    const file = join(dataDir, 'kubeconfig');
    expect(output).toContain(`export KUBECONFIG=${resolve(file)}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    if (!kubectlPresent) return; // the kubectl tests say why they are skipped
    const run = spawnSync(KUBECTL, ['get', 'nodes', '-o', 'name'], { env: { ...process.env, KUBECONFIG: file, KUBECACHEDIR: join(dataDir, 'kubectl-cache') }, encoding: 'utf8' });
    expect(run.stdout.trim().split('\n').sort()).toEqual(['node/node-0', 'node/node-1', 'node/node-2']);
  });

  it('examples/pinned-pod.yaml runs in zone-1; examples/too-big.yaml stays Pending with the reason', async () => {
    await apply('pinned-pod.yaml');
    await apply('too-big.yaml');
    const pinned = await eventually(async () => {
      const p = await pod('pinned');
      return p?.status.phase === 'Running' ? p : undefined;
    }, 15_000);
    const { node } = await gql(`query($n: String!) { node(name: $n) { metadata { labels } } }`, { n: pinned.spec.nodeName });
    expect(node.metadata.labels['topology.kubernetes.io/zone']).toBe('zone-1');
    const big = await eventually(async () => (await pod('too-big'))?.status.conditions?.find((c: any) => c.type === 'PodScheduled' && c.status === 'False'), 15_000);
    expect(big).toMatchObject({ reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu, 3 Insufficient memory.' });
  });

  it('examples/web.yaml: Running pods behind the Service, in its Endpoints and in the agents\' routes', async () => {
    expect((await apply('web.yaml')).apply.objects).toEqual([
      { kind: 'Deployment', name: 'web', action: 'created' },
      { kind: 'Service', name: 'web', action: 'created' },
    ]);
    const running = await eventually(async () => {
      const { pods } = await gql(`{ pods(namespace: "default", labelSelector: "app=web") { edges { node { manifest } } } }`);
      const all = pods.edges.map((e: any) => e.node.manifest);
      return all.length === 3 && all.every((p: any) => p.status.phase === 'Running') ? all : undefined;
    }, 20_000);
    const ips = running.map((p: any) => p.status.podIP).sort();
    const endpoints = await eventually(async () => {
      const { endpoints } = await gql(`{ endpoints(namespace: "default", name: "web") { manifest } }`);
      const addresses = (endpoints?.manifest.subsets ?? []).flatMap((s: any) => (s.addresses ?? []).map((a: any) => a.ip)).sort();
      return JSON.stringify(addresses) === JSON.stringify(ips) ? endpoints.manifest : undefined;
    }, 10_000);
    expect(endpoints.subsets[0].ports).toEqual([expect.objectContaining({ name: 'http', port: 80 })]);
    const { service } = await gql(`{ service(namespace: "default", name: "web") { spec { clusterIP } } }`);
    const debug = `http://127.0.0.1:${debugPort}`;
    await eventually(async () => {
      const routes = (await (await fetch(`${debug}/routes`)).json()) as Record<string, { endpoints: string[] }>;
      return JSON.stringify(routes[`${service.spec.clusterIP}:80/TCP`]?.endpoints.sort()) === JSON.stringify(ips.map((ip: string) => `${ip}:80`));
    }, 5000);
  });

  it('runs the clients with a V8 old space of 2,000 MiB (the API server with V8\'s default), and every process with semi-spaces of 64 MiB', () => {
    // The plane's processes by their command lines (all in the plane's process group).
    const group = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .flatMap((p) => {
        try {
          const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
          const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
          return pgid === plane.pid ? [readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')] : [];
        } catch {
          return []; // gone
        }
      });
    const args = (entry: string) => group.find((cmd) => cmd.some((a) => a.endsWith(`dist/${entry}.js`)));
    for (const client of ['controllers/main', 'scheduler/main', 'agent/main']) expect(args(client)).toContain('--max-old-space-size=2000');
    expect(args('api/main')).toBeDefined();
    expect(args('api/main')!.some((a) => a.startsWith('--max-old-space-size'))).toBe(false);
    for (const entry of ['api/main', 'controllers/main', 'scheduler/main', 'agent/main']) expect(args(entry)).toContain('--max-semi-space-size=64');
  });

  it('Ctrl-C stops every process', async () => {
    process.kill(-plane.pid!, 'SIGINT');
    await eventually(groupGone, 15_000, () => output);
  });
});
