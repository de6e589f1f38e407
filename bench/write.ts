/**
 * The write path and label-selected lists, over GraphQL/HTTP against an API server in a child
 * process (default durability, synchronous=FULL):
 *  1. createPod with 1 client and with 16 concurrent clients, for a fixed duration after a warm-up;
 *  2. a label-selected list (100 of 10,000 pods) at the head;
 *  3. the same list at a past revision, after 1,000 further writes.
 * Prints figures and whether each target is met; it never fails because of timing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startChildServer } from './child-server.js';
import { createGraphQLClient, type GraphQLClient } from './graphql-client.js';
import { fmt, machine, printTable, summarize, verdict, type LatencySummary } from './stats.js';

const WARMUP_MS = 1_000;
const DURATION_MS = 5_000;
const CONCURRENCY = 16;
const SEED_PODS = 10_000;
const GOLD_EVERY = 100; // 100 of 10,000 carry tier=gold
const SEED_BATCH = 25; // createPod mutations per GraphQL document while seeding
const CHURN = 1_000; // writes after the past revision
const LIST_WARMUP = 20;
const LIST_REPS = 500;

const TARGET_WRITES_PER_S = 3_000;
const TARGET_WRITE_P99_MS = 12;
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

export async function run(): Promise<void> {
  console.log(`\n== write: createPod and label-selected lists over GraphQL/HTTP (server in a child process, synchronous=FULL)`);
  console.log(`machine: ${machine()}`);
  const server = await startChildServer({ synchronous: 'FULL' });
  const token = readFileSync(join(server.dataDir, 'admin.token'), 'utf8').trim();
  const client = createGraphQLClient(server.url, { maxSockets: CONCURRENCY * 2, token });
  try {
    console.log(`server: ${server.url} (pid ${server.pid}), data in ${server.dataDir}`);
    for (const name of [WRITE_NS, LIST_NS]) await client.request(CREATE_NAMESPACE, { i: { metadata: { name } } });

    // 1. createPod throughput and latency.
    const labels = { app: 'web', tier: 'bronze' };
    const createOne = (prefix: string) => (c: number, seq: number) =>
      client.request(CREATE_POD, { i: pod(WRITE_NS, `${prefix}-${c}-${seq}`, labels) });
    process.stdout.write(`createPod, 1 client (${WARMUP_MS / 1000} s warm-up + ${DURATION_MS / 1000} s)... `);
    const single = await closedLoop(1, server.cpuUsage, createOne('s'));
    console.log(`${fmt(single.perSecond, 0)}/s`);
    process.stdout.write(`createPod, ${CONCURRENCY} clients (${WARMUP_MS / 1000} s warm-up + ${DURATION_MS / 1000} s)... `);
    const multi = await closedLoop(CONCURRENCY, server.cpuUsage, createOne('m'));
    console.log(`${fmt(multi.perSecond, 0)}/s`);

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
    console.log(`\nwrite benchmark — ${machine()}`);
    console.log(`createPod: ${DURATION_MS / 1000} s measured after ${WARMUP_MS / 1000} s warm-up; lists: ${LIST_REPS} sequential repetitions over HTTP, each checked\n`);
    const writeRow = (r: LoadResult) => [
      'createPod',
      String(r.clients),
      String(r.count),
      fmt(r.perSecond, 0),
      fmt(r.latency.p50),
      fmt(r.latency.p99),
      fmt(r.latency.max),
      `${fmt(r.serverCpu, 0)}%`,
      `${fmt(r.clientCpu, 0)}%`,
    ];
    const listRow = (label: string, l: LatencySummary) => [label, '1', String(l.count), '-', fmt(l.p50), fmt(l.p99), fmt(l.max), '-', '-'];
    printTable(
      ['measurement', 'clients', 'ops', 'ops/s', 'p50 ms', 'p99 ms', 'max ms', 'server CPU', 'load CPU'],
      [
        writeRow(single),
        writeRow(multi),
        listRow(`pods tier=gold at head (${gold.size} of ${SEED_PODS})`, headList),
        listRow(`pods tier=gold atRevision ${afterSeed} (${gold.size})`, pastList),
        listRow(`pods tier=gold at head after +${CHURN} writes (${goldNow.size})`, headAfter),
      ],
    );
    console.log('(CPU: % of one core over the measured 5 s; the server is one Node process, one JS thread)');
    console.log(`server CPU per createPod: ${fmt(single.serverCpuPerOp, 0)} µs with 1 client, ${fmt(multi.serverCpuPerOp, 0)} µs with ${CONCURRENCY} clients`);
    console.log();
    const targets: [string, boolean][] = [
      [`target ≥ ${TARGET_WRITES_PER_S.toLocaleString('en-US')} createPod/s with ${CONCURRENCY} clients (got ${fmt(multi.perSecond, 0)})`, multi.perSecond >= TARGET_WRITES_PER_S],
      [`target createPod p99 ≤ ${TARGET_WRITE_P99_MS} ms with ${CONCURRENCY} clients (got ${fmt(multi.latency.p99)})`, multi.latency.p99 <= TARGET_WRITE_P99_MS],
      [`target label-selected list (100 of 10,000) p99 ≤ ${TARGET_LIST_MS} ms at the head (got ${fmt(headList.p99)})`, headList.p99 <= TARGET_LIST_MS],
      [`target same list p99 ≤ ${TARGET_LIST_MS} ms at a past revision (got ${fmt(pastList.p99)})`, pastList.p99 <= TARGET_LIST_MS],
    ];
    for (const [label, met] of targets) console.log(`${label}: ${verdict(met)}`);
  } finally {
    client.close();
    await server.stop();
  }
}
