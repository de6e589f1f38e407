/**
 * Watch fan-out against an API server in a child process (default durability, synchronous=FULL):
 *  (a) the kubelet pattern: 1,000 subscribers, each watching the pods of its own node
 *      (fieldSelector spec.nodeName=node-i), over 20 WebSocket connections, while writers bind and
 *      patch pods on random nodes at about 1,000 mutations/s: commit→receipt latency;
 *  (b) shared frames: 100 subscribers with the same document and variables over 4 connections, then 1,
 *      every one matching every event, writers as fast as practical: deliveries/s.
 * Prints figures and whether each target is met; it never fails because of timing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { startChildServer, type ChildServer } from './child-server.js';
import { createGraphQLClient, type GraphQLClient } from './graphql-client.js';
import { fmt, machine, printTable, summarize, verdict, type LatencySummary } from './stats.js';
import { connectWs, type WsConnection } from './ws-connection.js';

const TARGET_P99_MS = 20;
const TARGET_DELIVERIES_PER_S = 200_000;

const A_NODES = 1_000;
const A_CONNECTIONS = 20;
const A_RATE = 1_000; // mutations/s
const A_BIND_SHARE = 0.2; // the rest patch a bound pod
const A_WARMUP_MS = 1_000;
const A_DURATION_MS = 5_000;
const A_MAX_IN_FLIGHT = 64;
const A_NS = 'kubelet';

const B_SUBSCRIBERS = 100;
const B_CONNECTIONS = 4;
const B_PODS = 500;
const B_WRITERS = 4;
const B_WARMUP_MS = 1_000;
const B_DURATION_MS = 3_000; // per run; runs of 100 and of 1 subscriber alternate twice
const B_NS = 'fanout';

const BATCH = 25; // mutations per GraphQL document when seeding, and per request in (b)
const SENT_AT = 'bench.kubeql.io/sent-at';

const now = () => performance.timeOrigin + performance.now(); // wall-clock ms, sub-ms resolution

const CREATE_NAMESPACE = `mutation($i: NamespaceInput!) { createNamespace(input: $i) { metadata { name } } }`;
const PATCH_POD = `mutation($ns: String!, $n: String!, $p: JSON!) { patchPod(namespace: $ns, name: $n, patch: $p) { metadata { resourceVersion } } }`;
const BIND_POD = `mutation($ns: String!, $n: String!, $node: String!) { bindPod(namespace: $ns, name: $n, nodeName: $node) { metadata { resourceVersion } } }`;
const KUBELET_WATCH = `subscription($fs: String) {
  watch(kind: Pod, namespace: "${A_NS}", fieldSelector: $fs) { type revision object { ... on Pod { metadata { name annotations } spec { nodeName } } } }
}`;
const SHARED_WATCH = `subscription($from: Revision) {
  watch(kind: Pod, namespace: "${B_NS}", fromRevision: $from) { type revision object { ... on Pod { metadata { name resourceVersion labels } } } }
}`;

/** One document running `n` copies of a mutation field, aliased m0..m{n-1}, with variables suffixed by the index. */
function batchDocument(n: number, vars: Record<string, string>, field: (i: number) => string): string {
  const decl = Array.from({ length: n }, (_, i) => Object.entries(vars).map(([v, type]) => `$${v}${i}: ${type}`)).flat();
  return `mutation(${decl.join(', ')}) { ${Array.from({ length: n }, (_, i) => `m${i}: ${field(i)}`).join(' ')} }`;
}
const createPodsDoc = (n: number) => batchDocument(n, { p: 'PodInput!' }, (i) => `createPod(input: $p${i}) { metadata { name } }`);
const bindPodsDoc = (n: number) => batchDocument(n, { n: 'String!', node: 'String!' }, (i) => `bindPod(namespace: "${A_NS}", name: $n${i}, nodeName: $node${i}) { metadata { name } }`);
const patchPodsDoc = (n: number) => batchDocument(n, { n: 'String!', p: 'JSON!' }, (i) => `patchPod(namespace: "${B_NS}", name: $n${i}, patch: $p${i}) { metadata { name } }`);

function pod(namespace: string, name: string) {
  return { metadata: { name, namespace, labels: { app: 'bench' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } };
}

/** Runs `items` in documents of BATCH, `concurrency` at a time; `variables(item, i)` gives one field's variables (suffixed by the index). */
async function inBatches<T>(client: GraphQLClient, items: T[], document: (n: number) => string, variables: (item: T) => Record<string, unknown>, concurrency = 8): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const chunk = items.slice(next, next + BATCH);
        next += BATCH;
        const vars: Record<string, unknown> = {};
        chunk.forEach((item, i) => {
          for (const [k, v] of Object.entries(variables(item))) vars[`${k}${i}`] = v;
        });
        await client.request(document(chunk.length), vars);
      }
    }),
  );
}

function readToken(dataDir: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dataDir, 'admin.token'), 'utf8').trim();
  } catch {
    return undefined; // a server without authentication
  }
}

const head = async (client: GraphQLClient) => Number((await client.request<{ revision: number }>('{ revision }')).revision);
const cpuPercent = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage, ms: number) => ((b.user - a.user + b.system - a.system) / 1000 / ms) * 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(predicate: () => boolean, ms: number): Promise<boolean> {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > ms) return false;
    await sleep(5);
  }
  return true;
}

interface KubeletResult {
  mutationsPerSecond: number;
  events: number;
  delivered: number;
  misrouted: number;
  errors: number;
  commitToReceipt: LatencySummary;
  sendToReceipt: LatencySummary;
  roundTrip: LatencySummary;
  serverCpu: number;
  loadCpu: number;
}

/** (a) 1,000 node-scoped watchers, ~1,000 binds and patches a second on random nodes. */
async function kubeletPattern(server: ChildServer, client: GraphQLClient, token: string | undefined): Promise<KubeletResult> {
  await client.request(CREATE_NAMESPACE, { i: { metadata: { name: A_NS } } });
  const node = (i: number) => `node-${i}`;
  // Seed: one bound pod per node (patch targets from the start), and a pool of unbound pods to bind during the run.
  const poolSize = Math.ceil(A_RATE * A_BIND_SHARE * ((A_WARMUP_MS + A_DURATION_MS) / 1000) * 1.5);
  const names = Array.from({ length: A_NODES + poolSize }, (_, i) => `p-${i}`);
  process.stdout.write(`(a) seeding ${names.length.toLocaleString('en-US')} pods, ${A_NODES.toLocaleString('en-US')} of them bound... `);
  await inBatches(client, names, createPodsDoc, (n) => ({ p: pod(A_NS, n) }));
  const bound = names.slice(0, A_NODES).map((n, i) => ({ name: n, node: node(i) }));
  await inBatches(client, bound, bindPodsDoc, (b) => ({ n: b.name, node: b.node }));
  const pool = names.slice(A_NODES);
  console.log('done');

  // 1,000 subscribers: list (one ADDED each) then watch, as a kubelet does; live once their BOOKMARK arrived.
  const received: Array<{ revision: number; at: number; sentAt?: number }> = [];
  let bookmarks = 0;
  let misrouted = 0;
  let errors = 0;
  let start = Infinity;
  const connections: WsConnection[] = [];
  const onFrame = (data: Buffer) => {
    const at = now();
    const message = JSON.parse(data.toString());
    if (message.type !== 'next') {
      errors++;
      if (errors <= 3) console.error(`(a) unexpected frame: ${data.toString().slice(0, 300)}`);
      return;
    }
    const w = message.payload.data?.watch;
    if (!w) {
      errors++;
      if (errors <= 3) console.error(`(a) frame without data: ${data.toString().slice(0, 300)}`);
      return;
    }
    if (w.type === 'BOOKMARK') return void bookmarks++;
    if (w.object.spec.nodeName !== node(Number(message.id.slice(1)))) misrouted++;
    if (at < start) return; // the initial list
    const sentAt = w.object.metadata.annotations?.[SENT_AT];
    received.push({ revision: w.revision, at, sentAt: sentAt ? Number(sentAt) : undefined });
  };
  process.stdout.write(`(a) ${A_NODES.toLocaleString('en-US')} subscribers over ${A_CONNECTIONS} connections... `);
  for (let c = 0; c < A_CONNECTIONS; c++) connections.push(await connectWs(server.url, token, onFrame));
  for (let i = 0; i < A_NODES; i++) connections[i % A_CONNECTIONS].subscribe(`n${i}`, KUBELET_WATCH, { fs: `spec.nodeName=${node(i)}` });
  if (!(await until(() => bookmarks >= A_NODES, 60_000))) throw new Error(`only ${bookmarks} of ${A_NODES} watches started within 60 s`);
  console.log('live');

  const from = await head(client);
  const patchTargets = bound.map((b) => b.name);
  const roundTrips: number[] = [];
  let issued = 0;
  let inFlight = 0;
  let failures = 0;
  const mutate = (): Promise<unknown> => {
    if (pool.length > 0 && Math.random() < A_BIND_SHARE) {
      const name = pool.pop()!;
      return client.request(BIND_POD, { ns: A_NS, n: name, node: node(Math.floor(Math.random() * A_NODES)) }).then(() => void patchTargets.push(name));
    }
    const name = patchTargets[Math.floor(Math.random() * patchTargets.length)];
    return client.request(PATCH_POD, { ns: A_NS, n: name, p: { metadata: { annotations: { [SENT_AT]: String(Date.now()) } } } });
  };
  process.stdout.write(`(a) ~${A_RATE.toLocaleString('en-US')} mutations/s for ${(A_WARMUP_MS + A_DURATION_MS) / 1000} s (${A_WARMUP_MS / 1000} s warm-up)... `);
  start = now();
  const measureFrom = start + A_WARMUP_MS;
  const measureTo = measureFrom + A_DURATION_MS;
  let cpu0 = { server: await server.cpuUsage(), load: process.cpuUsage(), at: now() };
  let cpu1 = cpu0;
  let measuring = false;
  const inFlightDone = new Set<Promise<unknown>>();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const t = now();
      if (!measuring && t >= measureFrom) {
        measuring = true;
        void server.cpuUsage().then((s) => (cpu0 = { server: s, load: process.cpuUsage(), at: now() }));
      }
      if (t >= measureTo) {
        clearInterval(timer);
        void server.cpuUsage().then((s) => {
          cpu1 = { server: s, load: process.cpuUsage(), at: now() };
          resolve();
        });
        return;
      }
      // Open loop: issue what the schedule says is due, bounded in flight.
      const due = Math.floor(((t - start) * A_RATE) / 1000);
      while (issued < due && inFlight < A_MAX_IN_FLIGHT) {
        issued++;
        inFlight++;
        const t0 = now();
        const p = mutate().then(
          () => {
            if (t0 >= measureFrom && t0 < measureTo) roundTrips.push(now() - t0);
          },
          (e) => {
            if (++failures <= 3) console.error(`(a) mutation failed: ${(e as Error).message.slice(0, 300)}`);
          },
        );
        inFlightDone.add(p);
        void p.finally(() => {
          inFlight--;
          inFlightDone.delete(p);
        });
      }
    }, 2);
  });
  await Promise.all(inFlightDone);
  const to = await head(client);
  const events = to - from;
  await until(() => received.length >= events, 10_000);
  console.log(`${issued.toLocaleString('en-US')} mutations, ${events.toLocaleString('en-US')} events`);
  for (const c of connections) c.close();

  // Commit time: the event's `ts`, taken in its write transaction just before COMMIT (ms resolution); read from the log afterwards.
  const db = new Database(path.join(server.dataDir, 'kubeql.db'), { readonly: true });
  const ts = new Map((db.prepare('SELECT revision, ts FROM events WHERE revision > ?').all(from) as Array<{ revision: number; ts: number }>).map((r) => [r.revision, r.ts]));
  db.close();
  const commitToReceipt: number[] = [];
  const sendToReceipt: number[] = [];
  for (const r of received) {
    const committed = ts.get(r.revision)!;
    if (committed < measureFrom || committed >= measureTo) continue;
    commitToReceipt.push(r.at - committed);
    if (r.sentAt !== undefined) sendToReceipt.push(r.at - r.sentAt);
  }
  const measuredMs = cpu1.at - cpu0.at;
  return {
    mutationsPerSecond: (commitToReceipt.length / A_DURATION_MS) * 1000,
    events,
    delivered: received.length,
    misrouted,
    errors: errors + failures,
    commitToReceipt: summarize(commitToReceipt),
    sendToReceipt: summarize(sendToReceipt),
    roundTrip: summarize(roundTrips),
    serverCpu: cpuPercent(cpu0.server, cpu1.server, measuredMs),
    loadCpu: cpuPercent(cpu0.load, cpu1.load, measuredMs),
  };
}

interface FanOutResult {
  subscribers: number;
  eventsPerSecond: number;
  deliveriesPerSecond: number;
  events: number;
  delivered: number;
  drainMs: number;
  errors: number;
  serverCpu: number;
  loadCpu: number;
  /** Server CPU per event (µs), the write included. */
  cpuPerEvent: number;
}

/**
 * (b) Subscribers sharing one document and variables; batched patches as fast as the server takes
 * them. Runs of 100 subscribers and of 1 alternate twice on the same server (so neither gets all
 * of the warmer write path or a quieter moment of the machine): the difference in server CPU
 * per event, over the 99 extra subscribers, is what one more delivery costs, whatever the
 * write path costs.
 */
async function sharedFanOut(server: ChildServer, client: GraphQLClient, token: string | undefined): Promise<FanOutResult[]> {
  await client.request(CREATE_NAMESPACE, { i: { metadata: { name: B_NS } } });
  const names = Array.from({ length: B_PODS }, (_, i) => `f-${i}`);
  await inBatches(client, names, createPodsDoc, (n) => ({ p: pod(B_NS, n) }));
  const results: FanOutResult[] = [];
  let seq = 0;
  for (const subscribers of [B_SUBSCRIBERS, 1, B_SUBSCRIBERS, 1]) results.push(await fanOutRun(server, client, token, names, subscribers, () => seq++));
  return results;
}

async function fanOutRun(server: ChildServer, client: GraphQLClient, token: string | undefined, names: string[], subscribers: number, nextSeq: () => number): Promise<FanOutResult> {
  const from = await head(client);
  // Frames are counted, not parsed: ids are s00..s99, so a frame is `{"id":"sNN","type":"<t>...` and byte 20 is the type's first letter.
  let delivered = 0;
  let other = 0;
  const N = 'n'.charCodeAt(0);
  const onFrame = (data: Buffer) => {
    if (data[20] === N) delivered++;
    else if (++other <= 3) console.error(`(b) unexpected frame: ${data.toString().slice(0, 300)}`);
  };
  const connections: WsConnection[] = [];
  const connectionCount = Math.min(B_CONNECTIONS, subscribers);
  for (let c = 0; c < connectionCount; c++) connections.push(await connectWs(server.url, token, onFrame));
  for (let i = 0; i < subscribers; i++) connections[i % connectionCount].subscribe(`s${String(i).padStart(2, '0')}`, SHARED_WATCH, { from });
  // Live: one event reaches all of them.
  await client.request(PATCH_POD, { ns: B_NS, n: names[0], p: { metadata: { labels: { seq: 'ready' } } } });
  if (!(await until(() => delivered >= subscribers, 30_000))) throw new Error(`(b) only ${delivered} of ${subscribers} subscribers got the first event`);

  process.stdout.write(
    `(b) ${subscribers} subscriber${subscribers > 1 ? 's' : ''} over ${connectionCount} connection${connectionCount > 1 ? 's' : ''}, ${B_WRITERS} writers of ${BATCH} patches per request, ${(B_WARMUP_MS + B_DURATION_MS) / 1000} s (${B_WARMUP_MS / 1000} s warm-up)... `,
  );
  const document = patchPodsDoc(BATCH);
  let failures = 0;
  const start = now();
  const measureFrom = start + B_WARMUP_MS;
  const deadline = measureFrom + B_DURATION_MS;
  let mark0 = { at: 0, delivered: 0, head: 0, server: { user: 0, system: 0 }, load: process.cpuUsage() };
  let mark1 = mark0;
  const sample = async () => {
    const at = now();
    const d = delivered;
    const load = process.cpuUsage();
    const [s, h] = await Promise.all([server.cpuUsage(), head(client)]);
    return { at, delivered: d, head: h, server: s, load };
  };
  const marks = (async () => {
    await sleep(measureFrom - now());
    mark0 = await sample();
    await sleep(deadline - now());
    mark1 = await sample();
  })();
  await Promise.all(
    Array.from({ length: B_WRITERS }, async (_, w) => {
      while (now() < deadline) {
        const vars: Record<string, unknown> = {};
        for (let i = 0; i < BATCH; i++) {
          vars[`n${i}`] = names[(w * BATCH + i) % B_PODS];
          vars[`p${i}`] = { metadata: { labels: { seq: String(nextSeq()) } } };
        }
        await client.request(document, vars).catch((e) => {
          if (++failures <= 3) console.error(`(b) mutation failed: ${(e as Error).message.slice(0, 300)}`);
        });
      }
    }),
  );
  await marks;
  const to = await head(client);
  const expected = (to - from) * subscribers;
  const writersDone = now();
  await until(() => delivered >= expected, 60_000);
  const drainMs = now() - writersDone;
  console.log(`${(to - from).toLocaleString('en-US')} events`);
  for (const c of connections) c.close();

  const ms = mark1.at - mark0.at;
  const serverCpu = cpuPercent(mark0.server, mark1.server, ms);
  const eventsPerSecond = ((mark1.head - mark0.head) / ms) * 1000;
  return {
    subscribers,
    eventsPerSecond,
    deliveriesPerSecond: ((mark1.delivered - mark0.delivered) / ms) * 1000,
    events: to - from,
    delivered,
    drainMs,
    errors: other + failures,
    serverCpu,
    loadCpu: cpuPercent(mark0.load, mark1.load, ms),
    cpuPerEvent: ((serverCpu / 100) * 1e6) / eventsPerSecond,
  };
}

/**
 * WATCH_BENCH_PARTS=a or =b runs one part only; WATCH_BENCH_PROFILE=DIR writes the server's CPU
 * profile (bench/cpu-profile-hook.mjs) there when it stops, to see where a delivery's time goes.
 */
const parts = (process.env.WATCH_BENCH_PARTS ?? 'ab').toLowerCase();
const profileDir = process.env.WATCH_BENCH_PROFILE;

async function withServer<T>(env: Record<string, string>, body: (server: ChildServer, client: GraphQLClient, token: string | undefined) => Promise<T>): Promise<T> {
  if (profileDir)
    env = {
      ...env,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${fileURLToPath(new URL('./cpu-profile-hook.mjs', import.meta.url))}`.trim(),
      CPU_PROFILE_DIR: path.resolve(profileDir),
    };
  const server = await startChildServer({ synchronous: 'FULL', env });
  const token = readToken(server.dataDir);
  const client = createGraphQLClient(server.url, { maxSockets: A_MAX_IN_FLIGHT, token });
  try {
    console.log(`server: ${server.url} (pid ${server.pid}), data in ${server.dataDir}`);
    return await body(server, client, token);
  } finally {
    client.close();
    await server.stop();
  }
}

const loadAverage = () => os.loadavg()[0];

export async function run(): Promise<void> {
  console.log(`\n== watch: subscription fan-out over graphql-transport-ws (server in a child process, synchronous=FULL)`);
  console.log(`machine: ${machine()}`);
  const loadBefore = loadAverage();
  const a = parts.includes('a') ? await withServer({}, kubeletPattern) : undefined;
  // A long bookmark interval: every frame counted in (b) is an event.
  const b = parts.includes('b') ? await withServer({ KUBEQL_WATCH: JSON.stringify({ bookmarkIntervalMs: 60_000 }) }, sharedFanOut) : undefined;
  const loadAfter = loadAverage();

  console.log(`\nwatch benchmark — ${machine()}`);
  const cores = os.cpus().length;
  console.log(
    `load average (1 min): ${fmt(loadBefore, 1)} before, ${fmt(loadAfter, 1)} after` +
      (Math.max(loadBefore, loadAfter) > cores ? ` — more runnable processes than the ${cores} cores: other work competed with this run, figures are pessimistic` : ''),
  );
  const targets: [string, boolean][] = [];
  if (a) {
    console.log(
      `(a) ${A_NODES.toLocaleString('en-US')} subscribers, each with its own fieldSelector spec.nodeName=node-i, over ${A_CONNECTIONS} connections; ` +
        `~${A_RATE.toLocaleString('en-US')} mutations/s (${A_BIND_SHARE * 100}% bindPod, the rest patchPod) on random nodes, ${A_DURATION_MS / 1000} s measured after ${A_WARMUP_MS / 1000} s warm-up.`,
    );
    console.log(`    commit → receipt: the event's commit time (its ts in the log, set in the write transaction before COMMIT, ms resolution) to the frame's arrival.`);
    console.log(`    send → receipt: the annotation ${SENT_AT} (Date.now() when the patch was sent) to the frame's arrival; patches only.\n`);
    const row = (label: string, l: LatencySummary) => [label, String(l.count), fmt(l.p50), fmt(l.p99), fmt(l.max)];
    printTable(
      ['(a) latency', 'samples', 'p50 ms', 'p99 ms', 'max ms'],
      [row('commit → receipt', a.commitToReceipt), row('send → receipt (patches)', a.sendToReceipt), row('mutation round trip', a.roundTrip)],
    );
    console.log(
      `    ${fmt(a.mutationsPerSecond, 0)} events/s measured; ${a.delivered.toLocaleString('en-US')} of ${a.events.toLocaleString('en-US')} events delivered, ` +
        `${a.misrouted} to a wrong node, ${a.errors} errors; server CPU ${fmt(a.serverCpu, 0)}%, load generator CPU ${fmt(a.loadCpu, 0)}% (of one core)\n`,
    );
    targets.push([`target (a) commit → receipt p99 ≤ ${TARGET_P99_MS} ms (got ${fmt(a.commitToReceipt.p99)})`, a.commitToReceipt.p99 <= TARGET_P99_MS]);
    if (a.delivered !== a.events || a.misrouted) console.log('note (a): not every event reached its subscriber exactly once (see the counts above)');
  }
  if (b) {
    console.log(
      `(b) subscribers with the same document and variables (shared frames), each matching every event: runs of ${B_SUBSCRIBERS} (over ${B_CONNECTIONS} connections) and of 1 alternating twice on one server; ` +
        `${B_WRITERS} writers, ${BATCH} patchPod per request; ${B_DURATION_MS / 1000} s measured after ${B_WARMUP_MS / 1000} s warm-up each. Frames counted, not parsed.\n`,
    );
    // Server CPU per delivery, the writes included: less sensitive to other load on the machine than the rate.
    printTable(
      ['(b) fan-out', 'events/s', 'deliveries/s', 'server CPU', 'µs CPU/event', 'µs CPU/delivery', 'load CPU'],
      b.map((r) => [
        `${r.subscribers} subscriber${r.subscribers > 1 ? 's' : ''}`,
        fmt(r.eventsPerSecond, 0),
        fmt(r.deliveriesPerSecond, 0),
        `${fmt(r.serverCpu, 0)}%`,
        fmt(r.cpuPerEvent, 0),
        fmt(((r.serverCpu / 100) * 1e6) / r.deliveriesPerSecond, 1),
        `${fmt(r.loadCpu, 0)}%`,
      ]),
    );
    // Each figure over both runs of its kind (total events and CPU over total time).
    const over = (n: number) => {
      const runs = b.filter((r) => r.subscribers === n);
      const ms = runs.length * B_DURATION_MS;
      const cpuMs = runs.reduce((sum, r) => sum + (r.serverCpu / 100) * B_DURATION_MS, 0);
      const events = runs.reduce((sum, r) => sum + (r.eventsPerSecond * B_DURATION_MS) / 1000, 0);
      const deliveries = runs.reduce((sum, r) => sum + (r.deliveriesPerSecond * B_DURATION_MS) / 1000, 0);
      return { subscribers: n, deliveriesPerSecond: (deliveries / ms) * 1000, cpuPerEvent: (cpuMs * 1000) / events };
    };
    const many = over(B_SUBSCRIBERS);
    const one = over(1);
    // What one more subscriber costs per event: the write path's cost is in both and cancels out.
    const marginal = (many.cpuPerEvent - one.cpuPerEvent) / (many.subscribers - one.subscribers);
    console.log(
      `    ${many.subscribers} subscribers: ${fmt(many.deliveriesPerSecond, 0)} deliveries/s, ${fmt(many.cpuPerEvent, 0)} µs CPU/event; 1 subscriber: ${fmt(one.cpuPerEvent, 0)} µs CPU/event (both runs of each)`,
    );
    console.log(`    server CPU per extra delivery (µs CPU/event at ${many.subscribers} − at 1, over ${many.subscribers - 1}): ${fmt(marginal, 2)} µs`);
    for (const r of b)
      console.log(
        `    ${r.subscribers}: ${r.delivered.toLocaleString('en-US')} of ${(r.events * r.subscribers).toLocaleString('en-US')} deliveries received (${r.events.toLocaleString('en-US')} events × ${r.subscribers}), ` +
          `the last ${fmt(r.drainMs, 0)} ms after the writers stopped; ${r.errors} errors`,
      );
    console.log('');
    targets.push([
      `target (b) ≥ ${TARGET_DELIVERIES_PER_S.toLocaleString('en-US')} deliveries/s with ${many.subscribers} subscribers (got ${fmt(many.deliveriesPerSecond, 0)})`,
      many.deliveriesPerSecond >= TARGET_DELIVERIES_PER_S,
    ]);
    if (b.some((r) => r.delivered !== r.events * r.subscribers)) console.log('note (b): not every event reached its subscribers exactly once (see the counts above)');
  }
  for (const [label, met] of targets) console.log(`${label}: ${verdict(met)}`);
}
