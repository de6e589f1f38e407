/**
 * The write path and label-selected lists, over GraphQL/HTTP against API servers in child processes:
 *  1. createPod with 16 concurrent clients and with 1 client, in paired rounds alternating with
 *     etcd's put of a 1 KiB value (etcd started here, see etcd.ts), each system measured for the
 *     same fixed duration after a warm-up; Kubeql with KUBEQL_SYNC=DURABLE (the WAL synced on the
 *     threadpool) and FULL (SQLite's sync inside COMMIT). Every target is a ratio to etcd in this run;
 *  2. a label-selected list (100 of 10,000 pods) at the head;
 *  3. the same list at a past revision, after 1,000 further writes.
 * Prints figures and whether each target is met; it never fails because of timing.
 */
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startChildServer, type ChildServer } from './child-server.js';
import { etcdVersion, startEtcd, type Etcd } from './etcd.js';
import { createGraphQLClient, type GraphQLClient } from './graphql-client.js';
import { fmt, machine, printTable, summarize, verdict, type LatencySummary } from './stats.js';

const WARMUP_MS = 1_000;
const DURATION_MS = 3_000;
/** Paired rounds: in each, every system runs once at each client count, in an order that alternates between rounds. */
const ROUNDS = 3;
const VALUE = Buffer.alloc(1024, 'x');
const CONCURRENCY = 16;
const SEED_PODS = 10_000;
const GOLD_EVERY = 100; // 100 of 10,000 carry tier=gold
const SEED_BATCH = 25; // createPod mutations per GraphQL document while seeding
const CHURN = 1_000; // writes after the past revision
const LIST_WARMUP = 20;
const LIST_REPS = 500;

const TARGET_LIST_MS = 10;

const WRITE_NS = 'bench-write';
const LIST_NS = 'bench';

const CREATE_POD = /* GraphQL */ `mutation($i: PodInput!) { createPod(input: $i) { metadata { name resourceVersion } } }`;
const CREATE_NAMESPACE = /* GraphQL */ `mutation($i: NamespaceInput!) { createNamespace(input: $i) { metadata { name } } }`;
const PATCH_POD = /* GraphQL */ `mutation($ns: String!, $n: String!, $p: JSON!) { patchPod(namespace: $ns, name: $n, patch: $p) { metadata { resourceVersion } } }`;
const LIST_GOLD = /* GraphQL */ `query($at: Revision) {
  pods(namespace: "${LIST_NS}", labelSelector: "tier=gold", first: 1000, atRevision: $at) { edges { node { metadata { name } } } revision }
}`;

function pod(namespace: string, name: string, labels: Record<string, string>) {
  return { metadata: { name, namespace, labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } };
}

/** One document creating `n` pods, aliased p0..p{n-1}, with variables $p0..$p{n-1}. */
function batchCreateDocument(n: number): string {
  const vars = Array.from({ length: n }, (_, i) => `$p${i}: PodInput!`).join(', ');
  const fields = Array.from({ length: n }, (_, i) => `p${i}: createPod(input: $p${i}) { metadata { name } }`).join(' ');
  return `mutation(${vars}) { ${fields} }`;
}

interface LoadResult {
  clients: number;
  count: number;
  elapsedMs: number;
  perSecond: number;
  latency: LatencySummary;
  /** CPU use over the measured phase as % of one core: the server process and this (load) process. */
  serverCpu: number;
  clientCpu: number;
  /** Server CPU time (user + system, all threads) per operation, µs. */
  serverCpuPerOp: number;
  /** Every measured latency, ms. */
  raw: number[];
}

/**
 * `clients` loops, each awaiting its own request, until the deadline; first a warm-up whose
 * requests are not counted. `op(client, seq)` performs one request.
 */
async function closedLoop(
  clients: number,
  serverCpu: () => Promise<NodeJS.CpuUsage>,
  op: (client: number, seq: number) => Promise<unknown>,
): Promise<LoadResult> {
  let seq = 0;
  const phase = async (durationMs: number, record: number[] | null) => {
    const deadline = performance.now() + durationMs;
    const loops = Array.from({ length: clients }, async (_, c) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        await op(c, seq++);
        record?.push(performance.now() - t0);
      }
    });
    await Promise.all(loops);
  };
  await phase(WARMUP_MS, null);
  const latencies: number[] = [];
  const server0 = await serverCpu();
  const client0 = process.cpuUsage();
  const start = performance.now();
  await phase(DURATION_MS, latencies);
  const elapsedMs = performance.now() - start;
  const client1 = process.cpuUsage(client0);
  const server1 = await serverCpu();
  const pct = (us: number) => (us / 1000 / elapsedMs) * 100;
  return {
    clients,
    count: latencies.length,
    elapsedMs,
    perSecond: (latencies.length / elapsedMs) * 1000,
    latency: summarize(latencies),
    serverCpu: pct(server1.user + server1.system - server0.user - server0.system),
    clientCpu: pct(client1.user + client1.system),
    serverCpuPerOp: (server1.user + server1.system - server0.user - server0.system) / latencies.length,
    raw: latencies,
  };
}

/** Runs the tasks with at most `concurrency` in flight. */
async function pool<T>(concurrency: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]();
      }
    }),
  );
  return results;
}

interface ListData {
  pods: { edges: { node: { metadata: { name: string } } }[]; revision: number };
}

/** Sequential repetitions of the gold list; checks every response against `expected`. */
async function timeList(client: GraphQLClient, atRevision: number | undefined, expected: Set<string>): Promise<LatencySummary> {
  const variables = atRevision === undefined ? {} : { at: atRevision };
  const check = (data: ListData) => {
    const names = data.pods.edges.map((e) => e.node.metadata.name);
    if (names.length !== expected.size || names.some((n) => !expected.has(n)))
      throw new Error(`list${atRevision === undefined ? '' : ` at revision ${atRevision}`} returned ${names.length} pods, expected exactly ${expected.size} (the gold set)`);
    if (atRevision !== undefined && Number(data.pods.revision) !== atRevision)
      throw new Error(`list at revision ${atRevision} reported revision ${data.pods.revision}`);
  };
  for (let i = 0; i < LIST_WARMUP; i++) check(await client.request<ListData>(LIST_GOLD, variables));
  const latencies: number[] = [];
  for (let i = 0; i < LIST_REPS; i++) {
    const t0 = performance.now();
    const data = await client.request<ListData>(LIST_GOLD, variables);
    latencies.push(performance.now() - t0);
    check(data);
  }
  return summarize(latencies);
}

interface System {
  name: string;
  cpu: () => Promise<NodeJS.CpuUsage>;
  op: (client: number, seq: number) => Promise<unknown>;
}

/** Pooled over rounds: operations, time, latencies and server CPU of one system at one client count. */
interface Pooled {
  count: number;
  elapsedMs: number;
  latencies: number[];
  serverCpuUs: number;
  rounds: number[];
}

async function pairedRounds(systems: System[], clientCounts: number[]): Promise<Map<string, Pooled>> {
  const pooled = new Map<string, Pooled>();
  for (let round = 0; round < ROUNDS; round++) {
    // ABC, CBA, ABC...: each system as often early as late in a round, against drift in the machine's load.
    const order = round % 2 === 0 ? systems : [...systems].reverse();
    for (const clients of clientCounts) {
      for (const system of order) {
        const r = await closedLoop(clients, system.cpu, system.op);
        const key = `${system.name}/${clients}`;
        const p = pooled.get(key) ?? { count: 0, elapsedMs: 0, latencies: [], serverCpuUs: 0, rounds: [] };
        p.count += r.count;
        p.elapsedMs += r.elapsedMs;
        for (const l of r.raw) p.latencies.push(l);
        p.serverCpuUs += r.serverCpuPerOp * r.count;
        p.rounds.push(r.perSecond);
        pooled.set(key, p);
        console.log(`  round ${round + 1}, ${clients} client${clients > 1 ? 's' : ''}, ${system.name}: ${fmt(r.perSecond, 0)}/s, p99 ${fmt(r.latency.p99)} ms`);
      }
    }
  }
  return pooled;
}

export async function run(): Promise<void> {
  console.log(`\n== write: createPod over GraphQL/HTTP (servers in child processes) against etcd's put of a 1 KiB value, paired rounds; label-selected lists`);
  console.log(`machine: ${machine()}, load average ${os.loadavg().map((l) => fmt(l, 1)).join(' ')}`);
  const { version, missing } = etcdVersion();
  if (missing) console.log(`etcd: ${missing}. The ratios to etcd are skipped.`);
  const etcd: Etcd | undefined = missing ? undefined : await startEtcd(CONCURRENCY * 2);
  const durable = await startChildServer({ synchronous: 'DURABLE' });
  let full: ChildServer | undefined;
  const clients: GraphQLClient[] = [];
  try {
    full = await startChildServer({ synchronous: 'FULL' });
    const connect = (server: ChildServer) => {
      const c = createGraphQLClient(server.url, { maxSockets: CONCURRENCY * 2, token: readFileSync(join(server.dataDir, 'admin.token'), 'utf8').trim() });
      clients.push(c);
      return c;
    };
    const client = connect(durable);
    const fullClient = connect(full);
    if (etcd) console.log(`etcd ${version}: ${etcd.url} (pid ${etcd.pid}), default durability (fsync of its WAL before each answer)`);
    console.log(`Kubeql DURABLE: ${durable.url} (pid ${durable.pid}); Kubeql FULL: ${full.url} (pid ${full.pid})`);
    for (const c of [client, fullClient]) for (const name of [WRITE_NS, LIST_NS]) await c.request(CREATE_NAMESPACE, { i: { metadata: { name } } });

    // 1. Paired rounds.
    const labels = { app: 'web', tier: 'bronze' };
    // Names (and etcd keys) unique across rounds: one counter per system.
    const createOne = (c: GraphQLClient, prefix: string) => {
      let k = 0;
      return () => c.request(CREATE_POD, { i: pod(WRITE_NS, `${prefix}-${k++}`, labels) });
    };
    let e = 0;
    const systems: System[] = [
      { name: 'Kubeql DURABLE', cpu: durable.cpuUsage, op: createOne(client, 'd') },
      { name: 'Kubeql FULL', cpu: full.cpuUsage, op: createOne(fullClient, 'f') },
    ];
    if (etcd) systems.push({ name: 'etcd', cpu: () => etcd.cpuUsage(), op: () => etcd.put(`/registry/pods/${WRITE_NS}/e-${e++}`, VALUE) });
    console.log(`${ROUNDS} paired rounds of ${WARMUP_MS / 1000} s warm-up + ${DURATION_MS / 1000} s per system and client count:`);
    // A first pass of each, not counted: the first system measured would otherwise be measured cold (JIT, caches).
    for (const system of systems) await closedLoop(CONCURRENCY, system.cpu, system.op);
    const pooled = await pairedRounds(systems, [CONCURRENCY, 1]);

    // 2. Seed 10,000 pods in one namespace, 1 in 100 gold, in batched documents from 16 clients.
    process.stdout.write(`seeding ${SEED_PODS.toLocaleString('en-US')} pods in namespace "${LIST_NS}"... `);
    const name = (i: number) => `pod-${String(i).padStart(5, '0')}`;
    const gold = new Set<string>();
    for (let i = 0; i < SEED_PODS; i += GOLD_EVERY) gold.add(name(i));
    const seedDoc = batchCreateDocument(SEED_BATCH);
    const seedStart = performance.now();
    await pool(
      CONCURRENCY,
      Array.from({ length: Math.ceil(SEED_PODS / SEED_BATCH) }, (_, b) => async () => {
        const n = Math.min(SEED_BATCH, SEED_PODS - b * SEED_BATCH);
        const doc = n === SEED_BATCH ? seedDoc : batchCreateDocument(n);
        const variables: Record<string, unknown> = {};
        for (let k = 0; k < n; k++) {
          const i = b * SEED_BATCH + k;
          variables[`p${k}`] = pod(LIST_NS, name(i), { app: 'web', tier: gold.has(name(i)) ? 'gold' : 'bronze' });
        }
        await client.request(doc, variables);
      }),
    );
    const seedMs = performance.now() - seedStart;
    console.log(`${fmt(seedMs / 1000, 1)} s (${fmt((SEED_PODS / seedMs) * 1000, 0)} pods/s, ${SEED_BATCH} per document)`);

    const afterSeed = Number((await client.request<{ revision: number }>('{ revision }')).revision);
    process.stdout.write(`list tier=gold at the head, ${LIST_REPS} repetitions... `);
    const headList = await timeList(client, undefined, gold);
    console.log(`p50 ${fmt(headList.p50)} ms`);

    // 3. 1,000 more writes, then the same list at the revision right after seeding.
    process.stdout.write(`${CHURN.toLocaleString('en-US')} more writes (creates, relabels, annotation patches)... `);
    const relabeled = [...gold].slice(0, 50); // gold -> bronze
    const bronze = Array.from({ length: SEED_PODS }, (_, i) => name(i)).filter((n) => !gold.has(n));
    const churn: (() => Promise<unknown>)[] = [];
    for (const n of relabeled) churn.push(() => client.request(PATCH_POD, { ns: LIST_NS, n, p: { metadata: { labels: { tier: 'bronze' } } } }));
    for (let i = 0; i < 450; i++)
      churn.push(() => client.request(PATCH_POD, { ns: LIST_NS, n: bronze[i * 7], p: { metadata: { annotations: { touched: String(i) } } } }));
    const lateGold = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const n = `late-${String(i).padStart(3, '0')}`;
      const tier = i % 5 === 0 ? 'gold' : 'bronze'; // 100 new gold pods
      if (tier === 'gold') lateGold.add(n);
      churn.push(() => client.request(CREATE_POD, { i: pod(LIST_NS, n, { app: 'web', tier }) }));
    }
    if (churn.length !== CHURN) throw new Error(`churn has ${churn.length} writes, not ${CHURN}`);
    await pool(CONCURRENCY, churn);
    const head = Number((await client.request<{ revision: number }>('{ revision }')).revision);
    console.log(`head ${head} (was ${afterSeed})`);
    if (head - afterSeed !== CHURN) throw new Error(`expected ${CHURN} new revisions, got ${head - afterSeed}`);

    const goldNow = new Set([...gold].filter((n) => !relabeled.includes(n)).concat([...lateGold]));
    process.stdout.write(`list tier=gold at revision ${afterSeed} (past), ${LIST_REPS} repetitions... `);
    const pastList = await timeList(client, afterSeed, gold);
    console.log(`p50 ${fmt(pastList.p50)} ms`);
    process.stdout.write(`list tier=gold at the head after the writes (${goldNow.size} gold), ${LIST_REPS} repetitions... `);
    const headAfter = await timeList(client, undefined, goldNow);
    console.log(`p50 ${fmt(headAfter.p50)} ms`);

    // Report.
    console.log(`\nwrite benchmark — ${machine()}, load average at the end ${os.loadavg().map((l) => fmt(l, 1)).join(' ')}`);
    console.log(`writes: ${ROUNDS} paired rounds, ${DURATION_MS / 1000} s measured per system and client count after ${WARMUP_MS / 1000} s warm-up, pooled; lists: ${LIST_REPS} sequential repetitions over HTTP, each checked\n`);
    const rows: string[][] = [];
    for (const clientsN of [CONCURRENCY, 1])
      for (const system of systems) {
        const p = pooled.get(`${system.name}/${clientsN}`)!;
        const l = summarize(p.latencies);
        rows.push([
          system.name === 'etcd' ? 'etcd put 1 KiB' : `createPod (${system.name.slice(7)})`,
          String(clientsN),
          String(p.count),
          fmt((p.count / p.elapsedMs) * 1000, 0),
          p.rounds.map((r) => fmt(r, 0)).join(' / '),
          fmt(l.p50),
          fmt(l.p99),
          fmt(p.serverCpuUs / p.count, 0),
        ]);
      }
    const listRow = (label: string, l: LatencySummary) => [label, '1', String(l.count), '-', '-', fmt(l.p50), fmt(l.p99), '-'];
    rows.push(
      listRow(`pods tier=gold at head (${gold.size} of ${SEED_PODS})`, headList),
      listRow(`pods tier=gold atRevision ${afterSeed} (${gold.size})`, pastList),
      listRow(`pods tier=gold at head after +${CHURN} writes (${goldNow.size})`, headAfter),
    );
    printTable(['measurement', 'clients', 'ops', 'ops/s', 'per round', 'p50 ms', 'p99 ms', 'server CPU µs/op'], rows);
    console.log('(server CPU: user + system time of the server process, all its threads, per operation; the lists ran against the DURABLE server)');
    console.log();
    const rate = (name: string, n: number) => {
      const p = pooled.get(`${name}/${n}`)!;
      return (p.count / p.elapsedMs) * 1000;
    };
    const p99 = (name: string, n: number) => summarize(pooled.get(`${name}/${n}`)!.latencies).p99;
    const targets: [string, boolean][] = [];
    if (etcd) {
      for (const mode of ['DURABLE', 'FULL']) {
        const name = `Kubeql ${mode}`;
        const r16 = rate(name, CONCURRENCY) / rate('etcd', CONCURRENCY);
        const r1 = rate(name, 1) / rate('etcd', 1);
        const rp99 = p99(name, CONCURRENCY) / p99('etcd', CONCURRENCY);
        const rounds16 = pooled.get(`${name}/${CONCURRENCY}`)!.rounds.map((r, i) => fmt(r / pooled.get(`etcd/${CONCURRENCY}`)!.rounds[i])).join(', ');
        targets.push(
          [`target ${mode}: createPod/s ≥ 1.00× etcd's put/s with ${CONCURRENCY} clients (got ${fmt(r16)}×; per round ${rounds16})`, r16 >= 1],
          [`target ${mode}: createPod p99 ≤ etcd's put p99 with ${CONCURRENCY} clients (got ${fmt(p99(name, CONCURRENCY))} ms vs ${fmt(p99('etcd', CONCURRENCY))} ms, ${fmt(rp99)}×)`, rp99 <= 1],
          [`target ${mode}: createPod/s ≥ 1.00× etcd's put/s with 1 client (got ${fmt(r1)}×)`, r1 >= 1],
        );
      }
    }
    targets.push(
      [`DURABLE against FULL with ${CONCURRENCY} clients: ${fmt(rate('Kubeql DURABLE', CONCURRENCY) / rate('Kubeql FULL', CONCURRENCY))}× the rate (informational)`, true],
      [`target label-selected list (100 of 10,000) p99 ≤ ${TARGET_LIST_MS} ms at the head (got ${fmt(headList.p99)})`, headList.p99 <= TARGET_LIST_MS],
      [`target same list p99 ≤ ${TARGET_LIST_MS} ms at a past revision (got ${fmt(pastList.p99)})`, pastList.p99 <= TARGET_LIST_MS],
    );
    for (const [label, met] of targets) console.log(label.includes('informational') ? label : `${label}: ${verdict(met)}`);
  } finally {
    for (const c of clients) c.close();
    await full?.stop();
    await durable.stop();
    await etcd?.stop();
  }
}
