/**
 * Scheduling at scale, every component its own process against an API server in a child process:
 * 1,000 simulated nodes in one agents process and the scheduler, then
 *  1. a backlog: 10,000 pods created before the scheduler starts (what the scheduler, the agents
 *     and the server manage on their own), and
 *  2. one ReplicaSet of 10,000 pods with the controller-manager running too (creation, scheduling
 *     and start overlap; 10,000 createPod when no ReplicaSet controller is registered).
 * Reports pods bound per second and the time until all are Running, read from the event log
 * (the bench opens the database read-only; it never writes it). Timing never fails the bench.
 * BENCH_NODES and BENCH_PODS change the sizes; BENCH_BACKLOG_ONLY=1 runs part 1 and prints binds
 * and status writes per second; BENCH_PROFILE_DIR=dir writes the components' CPU profiles there;
 * BENCH_VERBOSE=1 shows the components' output; BENCH_METRICS=1 prints the server's group-commit
 * sizes and bind/status request durations after part 1. BENCH_REPLICASET_ONLY=1 skips part 1;
 * BENCH_TIMELINE=1 prints where part 2's pods waited (creation bursts, create → bind → Running).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { startChildServer, type ChildServer } from './child-server.js';
import { entryArgs } from './compiled.js';
import { createGraphQLClient } from './graphql-client.js';
import { fmt, machine, printTable, verdict } from './stats.js';

const NODES = Number(process.env.BENCH_NODES ?? 1000);
const PODS = Number(process.env.BENCH_PODS ?? 10_000);
const TARGET_BINDS_PER_S = 1000;
const TARGET_ALL_RUNNING_S = 30;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Proc {
  child: ChildProcess;
  cpu(): number;
  waitFor(pattern: RegExp, ms: number): Promise<string>;
  stop(): Promise<void>;
}

/** A component in its own process; its CPU time is read from /proc when it is there. */
function component(name: string, entry: string, args: string[], env: Record<string, string>): Proc {
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, ...entryArgs(entry.replace(/\.ts$/, '')), ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  // If the bench dies abruptly, its components go with it.
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  child.once('exit', () => process.removeListener('exit', onExit));
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  for (const stream of [child.stdout!, child.stderr!])
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (process.env.BENCH_VERBOSE) console.log(`[${name}] ${line}`);
      for (const w of [...waiters]) if (w.pattern.test(line)) waiters.splice(waiters.indexOf(w), 1) && w.resolve(line);
    });
  return {
    child,
    cpu() {
      try {
        const stat = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return (Number(stat[11]) + Number(stat[12])) / 100; // utime + stime, in clock ticks of 10 ms
      } catch {
        return NaN;
      }
    },
    waitFor(pattern, ms) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name} did not print ${pattern} within ${ms} ms; last lines:\n${lines.slice(-10).join('\n')}`)), ms);
        waiters.push({ pattern, resolve: (l) => (clearTimeout(timer), resolve(l)) });
      });
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => (clearTimeout(timer), resolve()));
        child.kill('SIGTERM');
      }),
  };
}

interface Progress {
  created: number;
  bound: number;
  running: number;
  firstBindTs: number;
  lastBindTs: number;
  lastRunningTs: number;
  lastCreateTs: number;
}

/** Follows the pods of `namespace` in the log (read-only) until `count` are Running or the deadline passes. */
async function follow(db: Database.Database, namespace: string, count: number, fromRevision: number, t0: number, deadlineMs: number): Promise<Progress> {
  const progress: Progress = { created: 0, bound: 0, running: 0, firstBindTs: 0, lastBindTs: 0, lastRunningTs: 0, lastCreateTs: 0 };
  const read = db.prepare(
    `SELECT revision, ts, verb, json_extract(object, '$.status.phase') AS phase FROM events WHERE revision > ? AND kind = 'Pod' AND namespace = ? AND verb IN ('create', 'bind', 'updateStatus') ORDER BY revision LIMIT 5000`,
  );
  let cursor = fromRevision;
  let lastPrint = Date.now();
  const deadline = Date.now() + deadlineMs;
  while (progress.running < count && Date.now() < deadline) {
    const rows = read.all(cursor, namespace) as Array<{ revision: number; ts: number; verb: string; phase: string | null }>;
    for (const r of rows) {
      cursor = r.revision;
      if (r.verb === 'create') {
        progress.created++;
        progress.lastCreateTs = r.ts;
      } else if (r.verb === 'bind') {
        progress.bound++;
        progress.firstBindTs ||= r.ts;
        progress.lastBindTs = r.ts;
      } else if (r.phase === 'Running') {
        progress.running++;
        progress.lastRunningTs = r.ts;
      }
    }
    if (rows.length < 5000) await new Promise((r) => setTimeout(r, 200));
    if (Date.now() - lastPrint > 5000) {
      lastPrint = Date.now();
      console.log(`  t+${fmt((Date.now() - t0) / 1000, 0)} s: ${progress.created} created, ${progress.bound} bound, ${progress.running} running`);
    }
  }
  return progress;
}

const head = (db: Database.Database) => (db.prepare('SELECT max(revision) AS r FROM events').get() as { r: number }).r;
const TEMPLATE = { metadata: { labels: { app: 'bench' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } };

/** createPod in documents of 25, 8 documents in flight. */
async function createPods(client: ReturnType<typeof createGraphQLClient>, namespace: string, count: number): Promise<void> {
  const BATCH = 25;
  const doc = `mutation(${Array.from({ length: BATCH }, (_, i) => `$p${i}: PodInput!`).join(', ')}) { ${Array.from({ length: BATCH }, (_, i) => `p${i}: createPod(input: $p${i}) { metadata { name } }`).join(' ')} }`;
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let b = next++; b * BATCH < count; b = next++) {
        const vars = Object.fromEntries(Array.from({ length: BATCH }, (_, i) => [`p${i}`, { metadata: { ...TEMPLATE.metadata, name: `pod-${b * BATCH + i}`, namespace }, spec: TEMPLATE.spec }]));
        await client.request(doc, vars);
      }
    }),
  );
}

/** Quantile `q` of sorted `xs`. */
const quantile = (xs: number[], q: number) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor(q * xs.length))] : NaN);

/**
 * Where the pods of `namespace` waited, from the log: the creation bursts (creates more than 100 ms
 * apart start a new one: the controller's rounds), and each pod's create → bind and bind → Running.
 */
function timeline(db: Database.Database, namespace: string, fromRevision: number, t0: number): void {
  const rows = db
    .prepare(`SELECT ts, verb, name, json_extract(object, '$.status.phase') AS phase FROM events WHERE revision > ? AND kind = 'Pod' AND namespace = ? AND verb IN ('create', 'bind', 'updateStatus') ORDER BY revision`)
    .all(fromRevision, namespace) as Array<{ ts: number; verb: string; name: string; phase: string | null }>;
  const created = new Map<string, number>();
  const bound = new Map<string, number>();
  const toBind: number[] = [];
  const toRun: number[] = [];
  const bursts: Array<{ start: number; end: number; pods: number }> = [];
  for (const r of rows) {
    if (r.verb === 'create') {
      created.set(r.name, r.ts);
      const last = bursts.at(-1);
      if (last && r.ts - last.end <= 100) (last.end = r.ts), last.pods++;
      else bursts.push({ start: r.ts, end: r.ts, pods: 1 });
    } else if (r.verb === 'bind') {
      bound.set(r.name, r.ts);
      if (created.has(r.name)) toBind.push(r.ts - created.get(r.name)!);
    } else if (r.phase === 'Running' && bound.has(r.name)) {
      toRun.push(r.ts - bound.get(r.name)!);
      bound.delete(r.name);
    }
  }
  toBind.sort((a, b) => a - b);
  toRun.sort((a, b) => a - b);
  const ms = (xs: number[]) => `p50 ${fmt(quantile(xs, 0.5), 0)} / p90 ${fmt(quantile(xs, 0.9), 0)} / max ${fmt(xs.at(-1) ?? NaN, 0)} ms`;
  const rsWrites = (db.prepare(`SELECT count(*) AS n FROM events WHERE revision > ? AND kind = 'ReplicaSet' AND namespace = ?`).get(fromRevision, namespace) as { n: number }).n;
  const writes = db
    .prepare(`SELECT kind, verb, count(*) AS n FROM events WHERE revision > ? GROUP BY kind, verb ORDER BY n DESC LIMIT 8`)
    .all(fromRevision) as Array<{ kind: string; verb: string; n: number }>;
  console.log(`\nwhere the pods waited (${bursts.length} creation bursts, ${rsWrites} ReplicaSet writes)`);
  console.log(`writes in the log meanwhile: ${writes.map((w) => `${w.kind} ${w.verb} ${w.n}`).join(', ')}`);
  printTable(
    ['figure', 'value'],
    [
      ['create → bind', ms(toBind)],
      ['bind → Running', ms(toRun)],
      ['creation bursts: pods', bursts.length ? `${bursts.map((b) => b.pods).slice(0, 12).join(', ')}${bursts.length > 12 ? ', …' : ''}` : '-'],
      ['creation bursts: start s', bursts.length ? `${bursts.map((b) => fmt((b.start - t0) / 1000, 2)).slice(0, 12).join(', ')}${bursts.length > 12 ? ', …' : ''}` : '-'],
      ['gaps between bursts (ms)', bursts.length > 1 ? ms(bursts.slice(1).map((b, i) => b.start - bursts[i].end).sort((a, b) => a - b)) : '-'],
    ],
  );
}

function report(label: string, p: Progress, t0: number, count: number, cpu: string): { bindsPerS: number; allRunningS: number } {
  const at = (ts: number) => fmt((ts - t0) / 1000, 1);
  const bindsPerS = p.bound / Math.max((p.lastBindTs - p.firstBindTs) / 1000, 0.001);
  const allRunningS = p.running >= count ? (p.lastRunningTs - t0) / 1000 : NaN;
  console.log(`\n${label}`);
  printTable(
    ['figure', 'value'],
    [
      ['pods created', `${p.created}${p.created ? `, last at ${at(p.lastCreateTs)} s` : ''}`],
      ['pods bound', `${p.bound}, first at ${at(p.firstBindTs)} s, last at ${at(p.lastBindTs)} s`],
      ['pods bound per second (first to last bind)', fmt(bindsPerS, 0)],
      ['all Running after', `${fmt(allRunningS, 1)} s`],
      ['CPU s: API server / agents / scheduler / controllers', cpu],
    ],
  );
  return { bindsPerS, allRunningS };
}

export async function run(): Promise<void> {
  console.log(`\n## schedule: ${NODES.toLocaleString('en-US')} simulated nodes, ${PODS.toLocaleString('en-US')} pods (${machine()})\n`);
  let server: ChildServer | undefined;
  const procs: Proc[] = [];
  try {
    server = await startChildServer();
    const token = fs.readFileSync(path.join(server.dataDir, 'admin.token'), 'utf8').trim();
    const env = { KUBEQL_SERVER: server.url, KUBEQL_TOKEN: token };
    const client = createGraphQLClient(server.url, { token });
    const db = new Database(path.join(server.dataDir, 'kubeql.db'), { readonly: true });
    const srv = server;
    const cpuNow = async () => {
      const s = await srv.cpuUsage();
      return [(s.user + s.system) / 1e6, ...procs.map((p) => p.cpu())];
    };
    const cpuSince = async (before: number[]) => (await cpuNow()).map((v, i) => fmt(v - (before[i] ?? 0), 1)).join(' / ');

    let t0 = Date.now();
    const agents = component('agents', 'agent/main.ts', ['--nodes', String(NODES), '--prefix', 'bench-', '--cpu', '32', '--memory', '256Gi', '--pods', '110', '--zones', '3'], env);
    procs.push(agents);
    await agents.waitFor(/nodes registered and running/, 600_000);
    console.log(`${NODES} agents registered (Node, status, Lease, pod watch each) in ${fmt((Date.now() - t0) / 1000, 1)} s`);

    // 1. A backlog: the pods exist before the scheduler starts, so binding is limited by the scheduler, agents and server alone.
    const backlogNs = 'bench-backlog';
    await client.request(`mutation { createNamespace(input: { metadata: { name: "${backlogNs}" } }) { metadata { name } } }`);
    const withBacklog = !process.env.BENCH_REPLICASET_ONLY;
    if (withBacklog) {
      t0 = Date.now();
      await createPods(client, backlogNs, PODS);
      console.log(`${PODS} pods created with createPod (25 per document, 8 in flight) in ${fmt((Date.now() - t0) / 1000, 1)} s`);
    }
    let from = head(db);
    const scheduler = component('scheduler', 'scheduler/main.ts', [], env);
    procs.push(scheduler);
    let cpu0 = await cpuNow();
    t0 = Date.now();
    await scheduler.waitFor(/synced/, 60_000);
    const backlog = withBacklog
      ? report(`backlog: ${PODS} pending pods, scheduler started at t=0`, await follow(db, backlogNs, PODS, from, t0, 180_000), t0, PODS, await cpuSince(cpu0))
      : { bindsPerS: NaN, allRunningS: NaN };

    if (process.env.BENCH_METRICS) console.log((await (await fetch(server.url.replace('/graphql', '/metrics'))).text()).split('\n').filter((l) => /append_batch_writes_(sum|count)|request_duration_seconds_(sum|count)\{.*(bind|updateStatus|RATE_LIMITED)/.test(l)).join('\n'));
    if (process.env.BENCH_BACKLOG_ONLY) {
      const rows = db.prepare(`SELECT CAST((ts - ?) / 1000 AS INTEGER) AS s, sum(verb = 'bind') AS binds, sum(verb = 'updateStatus') AS statuses FROM events WHERE kind = 'Pod' AND namespace = ? GROUP BY 1 ORDER BY 1`).all(t0, backlogNs);
      console.log(rows.map((r: any) => `${r.s}s: ${r.binds} binds, ${r.statuses} statuses`).join('\n'));
      return;
    }

    // 2. A ReplicaSet of PODS with everything running: creation, scheduling and start overlap.
    const controllers = component('controller-manager', 'controllers/main.ts', [], env);
    procs.push(controllers);
    const managerLine = await controllers.waitFor(/controller-manager: .*against/, 60_000);
    const rsNs = 'bench-replicaset';
    await client.request(`mutation { createNamespace(input: { metadata: { name: "${rsNs}" } }) { metadata { name } } }`);
    await new Promise((r) => setTimeout(r, 2000)); // the controllers' informers sync
    from = head(db);
    cpu0 = await cpuNow();
    t0 = Date.now();
    if (/replica ?set/i.test(managerLine))
      await client.request(`mutation($i: ReplicaSetInput!) { createReplicaSet(input: $i) { metadata { name } } }`, {
        i: { metadata: { name: 'bench', namespace: rsNs }, spec: { replicas: PODS, selector: { matchLabels: { app: 'bench' } }, template: TEMPLATE } },
      });
    else {
      console.log('no ReplicaSet controller registered: the bench creates the pods with createPod');
      void createPods(client, rsNs, PODS);
    }
    const live = report(`ReplicaSet of ${PODS}, created at t=0`, await follow(db, rsNs, PODS, from, t0, 300_000), t0, PODS, await cpuSince(cpu0));
    if (process.env.BENCH_TIMELINE) timeline(db, rsNs, from, t0);

    console.log(`\ntarget ≥ ${TARGET_BINDS_PER_S} pods bound/s: backlog ${verdict(backlog.bindsPerS >= TARGET_BINDS_PER_S)} (${fmt(backlog.bindsPerS, 0)}), ReplicaSet ${verdict(live.bindsPerS >= TARGET_BINDS_PER_S)} (${fmt(live.bindsPerS, 0)})`);
    console.log(
      `target all ${PODS.toLocaleString('en-US')} Running within ${TARGET_ALL_RUNNING_S} s: backlog ${verdict(backlog.allRunningS <= TARGET_ALL_RUNNING_S)} (${fmt(backlog.allRunningS, 1)} s), ReplicaSet ${verdict(live.allRunningS <= TARGET_ALL_RUNNING_S)} (${fmt(live.allRunningS, 1)} s)`,
    );
    db.close();
    client.close();
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await server?.stop();
  }
}
