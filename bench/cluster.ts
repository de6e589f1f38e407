/**
 * `npm run bench -- cluster`: the whole plane started as `npm start` starts it (API server,
 * controller-manager, scheduler, agents with node tokens, each its own process), then
 * KUBEQL_BENCH_DEPLOYMENTS Deployments of KUBEQL_BENCH_REPLICAS replicas (one namespace each,
 * requests small enough for 30 pods a node) on KUBEQL_BENCH_NODES nodes. While they roll out and
 * for a while after, probes measure Kubernetes' SLOs: mutating calls p99 ≤ 1 s, namespace lists
 * p99 ≤ 5 s, cluster-wide lists p99 ≤ 30 s (Kubernetes' SLI times each call, so each page of a
 * paged list is one; the whole traversal of 500-item pages is printed beside it). Prints time to all Running, those p99s, events
 * per pod, the Lease share of events, evictions, the database size and bytes per event, and each
 * component's peak RSS. Defaults are small (50 nodes, 5 × 100 pods); the full size is
 * KUBEQL_BENCH_NODES=5000 KUBEQL_BENCH_DEPLOYMENTS=150 KUBEQL_BENCH_REPLICAS=1000.
 * KUBEQL_BENCH_HEAP_SNAPSHOTS=<dir> also writes a V8 heap snapshot of the controller-manager, the
 * scheduler and the agents into <dir> once all pods are Running, to see what their memory holds.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { entryArgs, FROM_SOURCE } from './compiled.js';
import { createGraphQLClient } from './graphql-client.js';
import { runningPodsCounter } from './running-pods.js';
import { fmt, machine, summarize, verdict } from './stats.js';

const env = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive whole number`);
  return v;
};
const NODES = env('KUBEQL_BENCH_NODES', 50);
const DEPLOYMENTS = env('KUBEQL_BENCH_DEPLOYMENTS', 5);
const REPLICAS = env('KUBEQL_BENCH_REPLICAS', 100);
const TIMEOUT_MS = env('KUBEQL_BENCH_TIMEOUT_SECONDS', 1800) * 1000;
/** How many Deployments are being created at once. */
const CREATORS = env('KUBEQL_BENCH_CREATORS', 16);
/** Events about each pod at most: the scheduler's Scheduled, the kubelet's Pulled, Created and Started (a recorder drops what its full queue cannot hold, as client-go's). */
const EVENTS_PER_POD = 4;
const root = resolve(import.meta.dirname, '..');
const COMPONENTS = { 'api server': 'api/main', 'controller-manager': 'controllers/main', scheduler: 'scheduler/main', agents: 'agent/main' } as const;
/**
 * The plane runs compiled, as `npm start` runs it (bench/compiled.ts; KUBEQL_BENCH_FROM_SOURCE=1
 * runs the TypeScript through tsx, as earlier runs did). tsx's keepNames also costs memory per
 * closure made (about 16 MiB of the agents' heap at 1,000 nodes).
 */

/** The plane's processes by component (from /proc: children of the `npm start` process). */
function componentPids(parent: number): Map<string, number> {
  const found = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      for (const [name, file] of Object.entries(COMPONENTS)) if (cmd.includes(FROM_SOURCE ? `server/${file}.ts` : `dist/${file}.js`)) found.set(name, Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}
/**
 * Connections the kernel dropped because a listener's accept queue was full (machine-wide, all
 * listeners): each waits out TCP's SYN retransmissions (1, 3, 7, 15 s...) before it is seen, which
 * shows up as latency no server-side timer measures. Undefined where /proc/net/netstat is absent.
 */
function listenOverflows(): number | undefined {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
    const [names, values] = lines.map((l) => l.trim().split(/\s+/));
    const i = names.indexOf('ListenOverflows');
    return i > 0 ? Number(values[i]) : undefined;
  } catch {
    return undefined;
  }
}
/** Established TCP connections to `port` on 127.0.0.1 (server side), from /proc/net/tcp. */
function establishedTo(port: number): number {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let n = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6'])
    try {
      for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f[1]?.endsWith(hex) && f[3] === '01') n++;
      }
    } catch {
      // absent
    }
  return n;
}
const peakRss = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

/** A heap snapshot of each client component, one at a time (each takes about twice its heap while written). */
async function heapSnapshots(pids: Map<string, number>, dir: string): Promise<void> {
  for (const [name, pid] of pids) {
    if (name === 'api server') continue;
    const before = new Set(readdirSync(dir));
    process.kill(pid, 'SIGUSR2');
    // Written under its final name as it goes: done when the size stops changing.
    let file: string | undefined;
    let size = -1;
    for (let stable = 0; stable < 3; ) {
      await new Promise((r) => setTimeout(r, 1000));
      file ??= readdirSync(dir).find((f) => !before.has(f) && f.includes(`.${pid}.`));
      const now = file ? statSync(join(dir, file)).size : -1;
      stable = now > 0 && now === size ? stable + 1 : 0;
      size = now;
    }
    console.log(`cluster: heap snapshot of the ${name}: ${join(dir, file!)} (${fmt(size / 2 ** 20, 0)} MiB)`);
  }
}

export async function run(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubeql-cluster-'));
  const snapshotDir = process.env.KUBEQL_BENCH_HEAP_SNAPSHOTS ? resolve(process.env.KUBEQL_BENCH_HEAP_SNAPSHOTS) : undefined;
  // The components inherit NODE_OPTIONS from `npm start`: each writes a snapshot on SIGUSR2.
  const nodeOptions = snapshotDir ? `${process.env.NODE_OPTIONS ?? ''} --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshotDir}`.trim() : process.env.NODE_OPTIONS;
  const plane = spawn(process.execPath, entryArgs('main'), {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', KUBEQL_NODES: String(NODES), KUBEQL_LOG_FORMAT: 'json', ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  plane.stdout!.on('data', (d) => (output = (output + d).slice(-200_000)));
  plane.stderr!.on('data', (d) => (output = (output + d).slice(-200_000)));
  // A check is a query of the database file, and this process shares the machine's two cores with
  // the plane. The pause is five times the check's own time (at least 250 ms), so checking costs the
  // plane at most a sixth of a core however long a check takes; an end is seen within that pause (the
  // longest is printed with the time to all Running). The count of Running pods reads only the Pod
  // events since the last check (running-pods.ts): a pass over 150,000 rows took most of a second.
  let longestPauseMs = 0;
  const waitFor = async (check: () => boolean, ms: number, what: string) => {
    const until = Date.now() + ms;
    for (;;) {
      const t = performance.now();
      if (check()) return;
      const spent = performance.now() - t;
      if (Date.now() > until) throw new Error(`${what} not within ${ms / 1000} s; output:\n${output.slice(-3000)}`);
      if (plane.exitCode !== null) throw new Error(`the plane exited (${plane.exitCode}); output:\n${output.slice(-3000)}`);
      const pause = Math.max(250, 5 * spent);
      longestPauseMs = Math.max(longestPauseMs, pause);
      await new Promise((r) => setTimeout(r, pause));
    }
  };
  try {
    const started = performance.now();
    await waitFor(() => /GraphQL at (http:\/\/\S+)/.test(output), 120_000, 'the API server');
    const url = /GraphQL at (http:\/\/\S+)/.exec(output)![1];
    const apiPort = Number(new URL(url).port);
    // The agents' connections to the API server as they count them (their debug endpoint), and every client's as the kernel does.
    let agentConnections = 'not yet';
    const connectionsNow = () => {
      const debug = /"debug":"(http:\/\/[^"]+)"/.exec(output)?.[1];
      if (debug) void fetch(`${debug}/connections`).then((r) => r.json()).then((c: any) => (agentConnections = `agents: HTTP heartbeat ${c.http.heartbeat.open} open (${c.http.heartbeat.opened} opened, ${c.http.heartbeat.waiting} waiting), workload ${c.http.workload.open} (${c.http.workload.opened}, ${c.http.workload.waiting}), WebSocket handshakes ${c.webSocket.started}`), () => {});
      return `${establishedTo(apiPort)} connections established to the API server; ${agentConnections}`;
    };
    const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
    // The API server's event-loop delay (prom-client's monitorEventLoopDelay, reset at each scrape): one p99 and max per 10 s window.
    const loopDelay = { p99: [] as number[], max: [] as number[] };
    const metricsUrl = url.replace(/\/graphql$/, '/metrics');
    const loopSampler = setInterval(() => {
      void fetch(metricsUrl, { signal: AbortSignal.timeout(9000) })
        .then((r) => r.text())
        .then((text) => {
          const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) * 1000;
          const [p99, max] = [value('nodejs_eventloop_lag_p99_seconds'), value('nodejs_eventloop_lag_max_seconds')];
          if (Number.isFinite(p99)) loopDelay.p99.push(p99);
          if (Number.isFinite(max)) loopDelay.max.push(max);
        }, () => {});
    }, 10_000);
    loopSampler.unref();
    const client = createGraphQLClient(url, { maxSockets: 16, token });
    const db = new Database(join(dataDir, 'kubeql.db'), { readonly: true });
    const count = (sql: string, ...args: unknown[]) => db.prepare(sql).pluck().get(...args) as number;
    const registered = () => count(`SELECT count(*) FROM objects WHERE kind = 'Node' AND to_rev IS NULL`);
    await waitFor(() => registered() >= NODES, TIMEOUT_MS, `${NODES} nodes registered`);
    const nodesAfterMs = performance.now() - started;
    const from = count('SELECT max(revision) FROM events');
    const overflowsFrom = listenOverflows();

    // Probes, running until the end: a mutating call, a namespace list, a paged cluster-wide list.
    const mutating: number[] = [];
    const nsList: number[] = [];
    const clusterList: number[] = [];
    const clusterPages: number[] = [];
    let probing = true;
    await client.request(`mutation { createNamespace(input: { metadata: { name: "probe" } }) { metadata { name } } }`);
    const timed = async (into: number[], fn: () => Promise<unknown>) => {
      const t = performance.now();
      await fn().catch(() => {});
      into.push(performance.now() - t);
    };
    const loop = async (everyMs: number, fn: () => Promise<void>) => {
      while (probing) {
        await fn();
        await new Promise((r) => setTimeout(r, everyMs));
      }
    };
    let tick = 0;
    const probes = [
      loop(250, () => timed(mutating, () => client.request(`mutation($v: String!) { patchNamespace(name: "probe", patch: { metadata: { labels: { tick: $v } } }) { metadata { name } } }`, { v: String(tick++) }))),
      loop(1000, () => timed(nsList, () => client.request(`{ pods(namespace: "bench-0", first: 1000) { edges { node { metadata { name } } } } }`))),
      loop(5000, () =>
        timed(clusterList, async () => {
          let after: string | null = null;
          do {
            const t = performance.now();
            const page: any = await client.request(`query($a: String) { pods(first: 500, after: $a) { edges { cursor node { metadata { name } } } pageInfo { hasNextPage endCursor } } }`, { a: after });
            clusterPages.push(performance.now() - t);
            after = page.pods.pageInfo.hasNextPage ? page.pods.pageInfo.endCursor : null;
          } while (after);
        }),
      ),
    ];

    // The Deployments are applied as a pipeline applies a directory of manifests in parallel:
    // CREATORS at a time, each its namespace then its Deployment, on connections of their own (the
    // probes' calls do not queue behind them), so that the clock measures the plane, not how long
    // 300 calls in a row wait on a loaded server. (The full-size rollout took as long either way:
    // 462 s with all created in 1.4 s, 469 s one at a time; the API server's work bounds it.)
    const creator = createGraphQLClient(url, { maxSockets: CREATORS, token });
    const rolloutStart = performance.now();
    let nextDeployment = 0;
    const createOne = async (d: number) => {
      const ns = `bench-${d}`;
      await timed(mutating, () => creator.request(`mutation($n: String!) { createNamespace(input: { metadata: { name: $n } }) { metadata { name } } }`, { n: ns }));
      await timed(mutating, () =>
        creator.request(`mutation($i: DeploymentInput!) { createDeployment(input: $i) { metadata { name } } }`, {
          i: {
            metadata: { name: 'app', namespace: ns },
            spec: {
              replicas: REPLICAS,
              selector: { matchLabels: { app: 'app' } },
              template: { metadata: { labels: { app: 'app' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] } },
            },
          },
        }),
      );
    };
    await Promise.all(
      Array.from({ length: Math.min(CREATORS, DEPLOYMENTS) }, async () => {
        while (nextDeployment < DEPLOYMENTS) await createOne(nextDeployment++);
      }),
    );
    const createdMs = performance.now() - rolloutStart;
    creator.close();
    const total = DEPLOYMENTS * REPLICAS;
    const running = runningPodsCounter(db, 'bench-');
    let lastReport = 0;
    // Past the timeout the figures are printed all the same, with how far the pods got.
    let reached: number | undefined;
    try {
      await waitFor(() => {
        if (performance.now() - lastReport > 10_000) {
          lastReport = performance.now();
          console.log(`cluster: ${running()} of ${total} pods Running after ${fmt((performance.now() - rolloutStart) / 1000, 0)} s (load ${loadavg()[0].toFixed(1)}; ${connectionsNow()})`);
        }
        return running() >= total;
      }, TIMEOUT_MS, `${total} pods Running`);
    } catch (error) {
      if (plane.exitCode !== null) throw error;
      reached = running();
    }
    const allRunningMs = performance.now() - rolloutStart;
    // The pods' Events (the scheduler's Scheduled, each kubelet's Pulled, Created and Started) go
    // out in the background and may still be arriving when the last pod runs: the time the last of
    // them is in, while the probes still run (EVENTS_PER_POD a pod, or no change for 15 s).
    const eventObjects = () => count(`SELECT count(*) FROM objects WHERE kind = 'Event' AND to_rev IS NULL AND namespace LIKE 'bench-%'`);
    let eventsSeen = eventObjects();
    let eventsMs = performance.now() - rolloutStart;
    if (reached === undefined) {
      let still = performance.now();
      await waitFor(() => {
        const now = eventObjects();
        if (now !== eventsSeen) [eventsSeen, eventsMs, still] = [now, performance.now() - rolloutStart, performance.now()];
        return eventsSeen >= EVENTS_PER_POD * total || performance.now() - still > 15_000;
      }, TIMEOUT_MS, 'the pods\' Events');
    }
    await new Promise((r) => setTimeout(r, 10_000)); // the probes a while longer, at steady state
    probing = false;
    await Promise.all(probes);

    const head = count('SELECT max(revision) FROM events');
    const written = head - from;
    const podEvents = count(`SELECT count(*) FROM events WHERE kind = 'Pod' AND revision > ? AND namespace LIKE 'bench-%'`, from);
    const podsCreated = count(`SELECT count(DISTINCT uid) FROM events WHERE kind = 'Pod' AND revision > ? AND namespace LIKE 'bench-%'`, from);
    // Lease events may have been compacted (5 min retention): counted from the revisions they took, as held.
    const leaseHeld = count(`SELECT count(*) FROM events WHERE kind = 'Lease' AND revision > ?`, from);
    const held = count(`SELECT count(*) FROM events WHERE revision > ?`, from);
    const evictions = count(`SELECT count(*) FROM events WHERE kind = 'Pod' AND verb = 'delete' AND revision > ?`, from);
    const taints = count(`SELECT count(*) FROM events WHERE kind = 'Node' AND revision > ? AND object LIKE '%node.kubernetes.io/unreachable%'`, from);
    const file = join(dataDir, 'kubeql.db');
    const bytes = statSync(file).size + (statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0);
    const allEvents = count('SELECT count(*) FROM events');
    const rss = [...componentPids(plane.pid!)].map(([name, pid]) => `${name} ${fmt(peakRss(pid) / 2 ** 20, 0)} MiB`);
    const [m, n, c, p] = [summarize(mutating), summarize(nsList), summarize(clusterList), summarize(clusterPages)];
    db.close();
    client.close();
    // After the peak RSS is read: writing a snapshot takes memory of its own.
    if (snapshotDir) await heapSnapshots(componentPids(plane.pid!), snapshotDir);

    console.log(`\ncluster: ${NODES} nodes, ${DEPLOYMENTS} Deployments × ${REPLICAS} replicas; ${machine()}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(
      reached === undefined
        ? `nodes registered after ${fmt(nodesAfterMs / 1000, 1)} s; all ${total} pods Running ${fmt(allRunningMs / 1000, 1)} s after the first Deployment (counted every ${fmt(longestPauseMs / 1000, 1)} s at most; goal 5 min: ${verdict(allRunningMs <= 300_000)}); the ${DEPLOYMENTS} Deployments created ${Math.min(CREATORS, DEPLOYMENTS)} at a time in ${fmt(createdMs / 1000, 1)} s`
        : `nodes registered after ${fmt(nodesAfterMs / 1000, 1)} s; NOT all pods Running: ${reached} of ${total} after ${fmt(allRunningMs / 1000, 1)} s (KUBEQL_BENCH_TIMEOUT_SECONDS)`,
    );
    console.log(`Events in the Deployments' namespaces: ${eventsSeen} (${fmt(eventsSeen / total, 2)} per pod; a pod's own, at most ${EVENTS_PER_POD}), the last ${fmt(eventsMs / 1000, 1)} s after the first Deployment`);
    console.log(`mutating calls p99 ${fmt(m.p99, 0)} ms (${m.count} calls; SLO 1 s: ${verdict(m.p99 <= 1000)})`);
    console.log(`namespace list p99 ${fmt(n.p99, 0)} ms (${n.count}; SLO 5 s: ${verdict(n.p99 <= 5000)})`);
    console.log(`cluster-wide list call (a page of 500) p99 ${fmt(p.p99, 0)} ms (${p.count}; SLO 30 s: ${verdict(p.p99 <= 30_000)}); whole paged traversal p99 ${fmt(c.p99, 0)} ms (${c.count}; within 30 s: ${verdict(c.p99 <= 30_000)})`);
    console.log(`events per pod ${fmt(podEvents / Math.max(1, podsCreated), 2)} (${podEvents} events, ${podsCreated} pods); Lease share of the events held ${fmt((leaseHeld / Math.max(1, held)) * 100, 1)}% (${written} written since the nodes registered)`);
    console.log(`evictions: ${evictions} pod deletes, ${taints} Node writes with the unreachable taint`);
    console.log(`database ${fmt(bytes / 2 ** 20, 1)} MiB with WAL, ${allEvents} events held: ${fmt(bytes / Math.max(1, allEvents), 0)} bytes per event held`);
    console.log(`peak RSS: ${rss.join(', ')}`);
    const debug = /"debug":"(http:\/\/[^"]+)"/.exec(output)?.[1];
    const agentsMemory = debug ? await fetch(`${debug}/memory`).then((r) => r.json() as Promise<any>, () => undefined) : undefined;
    if (agentsMemory) console.log(`agents' memory now (MiB): RSS ${agentsMemory.rss}, V8 heap used ${agentsMemory.heapUsed} of ${agentsMemory.heapTotal}, external ${agentsMemory.external} (array buffers ${agentsMemory.arrayBuffers})`);
    console.log(`connections at the end: ${connectionsNow()}`);
    // Why sockets were opened again, as the API server counted it.
    const metrics = await fetch(url.replace(/\/graphql$/, '/metrics')).then((r) => r.text(), () => '');
    // Each sample of a metric: its labels and value.
    const samples = (name: string) => [...metrics.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\d+)`, 'gm'))].map((m) => ({ labels: m[1] ?? '', value: Number(m[2]) }));
    const sumOf = (name: string) => samples(name).reduce((sum, s) => sum + s.value, 0);
    const pings = samples('kubeql_websocket_ping_timeouts_total').map((s) => `${s.value} ${s.labels}`).join(', ');
    console.log(`API server: ${sumOf('kubeql_watch_slow_consumer_terminations_total')} watches ended SLOW_CONSUMER, ${sumOf('kubeql_websocket_ping_timeouts_total')} WebSockets dropped for an unanswered ping${pings ? ` (${pings})` : ''}`);
    clearInterval(loopSampler);
    if (loopDelay.p99.length) {
      const d = summarize(loopDelay.p99);
      console.log(`API server event-loop delay per 10 s window (${d.count} windows): p99 median ${fmt(d.p50, 0)} ms, worst ${fmt(Math.max(...loopDelay.p99), 0)} ms; worst single delay ${fmt(Math.max(...loopDelay.max), 0)} ms`);
    }
    const overflows = listenOverflows();
    if (overflows !== undefined && overflowsFrom !== undefined) console.log(`connections dropped by a full accept queue meanwhile (machine-wide): ${overflows - overflowsFrom}`);
  } finally {
    plane.kill('SIGTERM');
    await new Promise<void>((r) => {
      const t = setTimeout(() => (plane.kill('SIGKILL'), r()), 15_000);
      plane.once('exit', () => (clearTimeout(t), r()));
    });
    rmSync(dataDir, { recursive: true, force: true });
  }
}
