/**
 * `npm run bench -- ha`: several API servers on one PostgreSQL log, beside SQLite and etcd in the same run.
 *  1. createPod over GraphQL/HTTP with 16 clients in a closed loop: SQLite (one server, DURABLE),
 *     PostgreSQL with 1 API server and with 3 (the clients spread over them), each server its own
 *     process, and etcd's put of a 1 KiB value (etcd.ts); paired rounds in alternating order, each
 *     system measured for the same time after a warm-up. Ratios to etcd.
 *  2. Watch latency across servers: writes on server A at a fixed rate (1,000/s, open loop), in
 *     documents of up to 25 creates as the client's mutation batcher sends them, a watcher on
 *     server B (and one on A for comparison); for each write, the time from sending it to A until
 *     B delivers its event (an upper bound of commit → receipt that counts A's own queue and
 *     execution), from the commit to B's delivery (the commit's moment as a bystander session
 *     LISTENing on the log's channel learns it: A's NOTIFY of a head at or past the write's
 *     revision, sent by PostgreSQL at COMMIT), from A's answer to B's delivery, and from A's
 *     delivery (after the commit) to B's. The target is judged on commit → B. Then with every server writing (documents
 *     taken in turn by the three) and B watching: the writes of the other two, as B delivers them
 *     while its own writes wait for the head lock in turn.
 * PostgreSQL runs in a temporary directory (the start:ha code: initdb, fsync on, as the postgres
 * user when root). Prints figures and whether each target is met; it never fails because of timing.
 * KUBEQL_BENCH_HA=write or =watch runs one part; KUBEQL_BENCH_HA_SYSTEMS, a pattern, picks the
 * systems of the first (e.g. 'etcd|3 servers').
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort } from '../server/components/free-port.js';
import { createClient } from '../server/store/postgres/connect.js';
import { LOG_CHANNEL } from '../server/store/postgres/group-commit.js';
import { postgresBinDir, startLocalPostgres, type LocalPostgres } from '../server/components/local-postgres.js';
import { startApiProcess, type ApiProcess } from './api-process.js';
import { etcdVersion, startEtcd, type Etcd } from './etcd.js';
import { createGraphQLClient, type GraphQLClient } from './graphql-client.js';
import { fmt, machine, printTable, summarize, verdict, type LatencySummary } from './stats.js';
import { connectWs } from './ws-connection.js';

const WARMUP_MS = 1_000;
const DURATION_MS = 4_000;
const ROUNDS = 2;
const CLIENTS = 16;
const VALUE = Buffer.alloc(1024, 'x');
const WATCH_RATE = 1_000; // writes per second on server A
const WATCH_MS = 5_000;
const WATCH_WARMUP_MS = 1_000;
/** Writes per document and documents in flight, as the client's mutation batcher sends them (its defaults). */
const DOC_WRITES = 25;
const DOCS_IN_FLIGHT = 8;
const TARGET_WATCH_P99_MS = 50;
const ETCD_PUT = 'etcd put 1 KiB';

const CREATE_POD = /* GraphQL */ `mutation($i: PodInput!) { createPod(input: $i) { metadata { name resourceVersion } } }`;
/** A document of `n` creates (aliases m0…), variables i0…. */
const createPods = (n: number) =>
  `mutation(${Array.from({ length: n }, (_, i) => `$i${i}: PodInput!`).join(', ')}) { ${Array.from({ length: n }, (_, i) => `m${i}: createPod(input: $i${i}) { metadata { name } }`).join(' ')} }`;
const WATCH = /* GraphQL */ `subscription($ns: String, $from: Revision) { watch(kind: Pod, namespace: $ns, fromRevision: $from) { type revision object { ... on Pod { metadata { name } } } } }`;

const pod = (namespace: string, name: string) => ({ metadata: { name, namespace }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } });

interface Plane {
  name: string;
  servers: ApiProcess[];
  clients: GraphQLClient[];
  token: string;
  dataDirs: string[];
  /** The log's database (PostgreSQL planes). */
  databaseUrl?: string;
}

/** `n` API servers sharing one data directory (the first alone: it writes the admin token), on `env`'s log. */
async function startPlane(name: string, n: number, env: Record<string, string>): Promise<Plane> {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'kubeql-bench-ha-'));
  // The clients write as one identity, faster than an identity's default rate (2,000/s): lifted.
  const serverEnv = { DATA_DIR: dataDir, KUBEQL_REQUESTS_PER_SECOND: '1000000', ...env };
  const first = await startApiProcess(serverEnv);
  const servers = [first, ...(await Promise.all(Array.from({ length: n - 1 }, () => startApiProcess(serverEnv))))];
  const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
  const clients = servers.map((s) => createGraphQLClient(s.url, { token, maxSockets: CLIENTS }));
  return { name, servers, clients, token, dataDirs: [dataDir], databaseUrl: env.KUBEQL_DATABASE_URL };
}

async function stopPlane(plane: Plane): Promise<void> {
  for (const c of plane.clients) c.close();
  await Promise.all(plane.servers.map((s) => s.stop()));
  for (const d of plane.dataDirs) rmSync(d, { recursive: true, force: true });
}

interface System {
  name: string;
  /** CPU time of the system's server processes (µs). */
  cpu: () => Promise<number>;
  op: (client: number, seq: number) => Promise<unknown>;
}

interface Pooled {
  count: number;
  elapsedMs: number;
  latencies: number[];
  cpuUs: number;
  rounds: number[];
}

/** `CLIENTS` loops, each awaiting its own request, for a warm-up and then the measured time. */
async function closedLoop(system: System): Promise<{ count: number; elapsedMs: number; latencies: number[]; cpuUs: number }> {
  let seq = 0;
  const phase = async (ms: number, record: number[] | null) => {
    const deadline = performance.now() + ms;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          await system.op(c, seq++);
          record?.push(performance.now() - t0);
        }
      }),
    );
  };
  await phase(WARMUP_MS, null);
  const latencies: number[] = [];
  const cpu0 = await system.cpu();
  const start = performance.now();
  await phase(DURATION_MS, latencies);
  const elapsedMs = performance.now() - start;
  return { count: latencies.length, elapsedMs, latencies, cpuUs: (await system.cpu()) - cpu0 };
}

const cpuOf = (servers: ApiProcess[]) => async () => servers.reduce((sum, s) => sum + s.cpuUsage().user + s.cpuUsage().system, 0);

function kubeqlSystem(plane: Plane): System {
  const prefix = plane.name.replace(/\W+/g, '-').toLowerCase();
  let n = 0; // names unique across rounds
  return {
    name: plane.name,
    cpu: cpuOf(plane.servers),
    op: (client) => plane.clients[client % plane.clients.length].request(CREATE_POD, { i: pod('default', `${prefix}-${n++}`) }),
  };
}

interface WatchResult {
  rate: number;
  sent: number;
  /** Send to A → B delivers. */
  toB: LatencySummary;
  /** A answers → B delivers (negative when B delivers first). */
  ackToB: LatencySummary;
  /** Send to A → A delivers, for comparison. */
  toA: LatencySummary;
  /** A delivers → B delivers: A delivers only after the commit, so this is the cross-server part alone. */
  aToB: LatencySummary;
  /** Commit (a bystander's NOTIFY of a head at or past the write's revision) → B delivers. */
  commitToB: LatencySummary;
  /** Commit → A delivers, for comparison (no server between). */
  commitToA: LatencySummary;
  missing: number;
}

/**
 * Writes at `rate`/s (open loop) in `namespace`, their documents taken in turn by the servers
 * `writers`, watched on `b` and on `a` (the first writer). Only the writes of servers other than
 * `b` are measured: the cross-server path.
 */
async function watchAcross(plane: Plane, writers: number[], b: number, rate: number, namespace: string): Promise<WatchResult> {
  const a = writers[0];
  const client = plane.clients[a];
  await client.request(`mutation($n: String!) { createNamespace(input: { metadata: { name: $n } }) { metadata { name } } }`, { n: namespace });
  const { revision: from } = await client.request<{ revision: number }>('{ revision }');
  // B follows A's commits a moment later: a watch from a revision B has not seen yet is refused.
  while ((await plane.clients[b].request<{ revision: number }>('{ revision }')).revision < from) await new Promise((r) => setTimeout(r, 20));
  const sentAt = new Map<string, number>();
  const ackedAt = new Map<string, number>();
  const seenOn = [new Map<string, number>(), new Map<string, number>()];
  const revisionOf = new Map<string, number>();
  // The commits' moments, as any session listening on the log's channel learns them (heads rise).
  const notified: Array<[head: number, at: number]> = [];
  const bystander = createClient(plane.databaseUrl!);
  await bystander.connect();
  bystander.on('notification', (n) => {
    if (n.channel === LOG_CHANNEL) notified.push([Number(n.payload), performance.now()]);
  });
  await bystander.query(`LISTEN ${LOG_CHANNEL}`);
  const watchers = await Promise.all(
    [b, a].map((server, w) =>
      connectWs(plane.servers[server].url, plane.token, (frame) => {
        const t = performance.now();
        const message = JSON.parse(frame.toString()) as { type: string; payload?: { data?: { watch?: { revision?: number; object?: { metadata?: { name?: string } } } }; errors?: unknown } };
        if (message.type === 'error' || message.payload?.errors) console.error(`watch on server ${server + 1}: ${JSON.stringify(message).slice(0, 300)}`);
        const watch = message.payload?.data?.watch;
        const name = watch?.object?.metadata?.name;
        if (name) seenOn[w].set(name, t);
        if (name && watch?.revision !== undefined) revisionOf.set(name, Number(watch.revision));
      }),
    ),
  );
  watchers.forEach((ws, w) => ws.subscribe(String(w), WATCH, { ns: namespace, from }));
  // Let both subscriptions start before the first write.
  await new Promise((r) => setTimeout(r, 500));

  // The writes due are sent as the client's mutation batcher sends them (server/client/mutation-batcher.ts):
  // documents of up to DOC_WRITES aliased createPods, at most DOCS_IN_FLIGHT documents at a time.
  // One write per request would measure the HTTP and GraphQL overhead of a request, not the log:
  // controllers under load batch their writes this way.
  let sent = 0;
  let documents = 0;
  let inFlight = 0;
  const measured: string[] = [];
  const total = ((WATCH_WARMUP_MS + WATCH_MS) / 1000) * rate;
  const start = performance.now();
  const pending: Promise<unknown>[] = [];
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    while (sent < due && inFlight < DOCS_IN_FLIGHT) {
      const names: string[] = [];
      const now = performance.now();
      const writer = writers[documents++ % writers.length];
      while (sent < due && names.length < DOC_WRITES) {
        const name = `w-${sent++}`;
        if (now - start >= WATCH_WARMUP_MS && writer !== b) measured.push(name);
        sentAt.set(name, now);
        names.push(name);
      }
      inFlight++;
      const variables = Object.fromEntries(names.map((name, i) => [`i${i}`, pod(namespace, name)]));
      pending.push(
        plane.clients[writer].request(createPods(names.length), variables).then(() => {
          const t = performance.now();
          for (const name of names) ackedAt.set(name, t);
          inFlight--;
        }),
      );
    }
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(pending);
  const elapsed = performance.now() - start;
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline && measured.some((n) => !seenOn[0].has(n) || !seenOn[1].has(n))) await new Promise((r) => setTimeout(r, 50));
  for (const ws of watchers) ws.close();
  await bystander.end();
  /** When the first NOTIFY of a head at or past `revision` arrived (binary search: heads rise). */
  const committedAt = (revision: number): number | undefined => {
    let lo = 0;
    let hi = notified.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (notified[mid][0] >= revision) hi = mid;
      else lo = mid + 1;
    }
    return notified[lo]?.[1];
  };
  const commitDelays = (seen: Map<string, number>) =>
    measured.flatMap((n) => {
      const at = seen.get(n);
      const committed = revisionOf.has(n) ? committedAt(revisionOf.get(n)!) : undefined;
      return at !== undefined && committed !== undefined ? [at - committed] : [];
    });
  const delays = (from: Map<string, number>, to: Map<string, number>) => measured.filter((n) => to.has(n)).map((n) => to.get(n)! - from.get(n)!);
  return {
    rate: (sent / elapsed) * 1000,
    sent,
    toB: summarize(delays(sentAt, seenOn[0])),
    ackToB: summarize(delays(ackedAt, seenOn[0])),
    toA: summarize(delays(sentAt, seenOn[1])),
    aToB: summarize(delays(seenOn[1], seenOn[0]).filter((d) => Number.isFinite(d))),
    commitToB: summarize(commitDelays(seenOn[0])),
    commitToA: summarize(commitDelays(seenOn[1])),
    missing: measured.filter((n) => !seenOn[0].has(n)).length,
  };
}

export async function run(): Promise<void> {
  console.log(`\n== ha: createPod at ${CLIENTS} clients on SQLite, on PostgreSQL with 1 and 3 API servers, and etcd's put; watch latency across servers`);
  console.log(`machine: ${machine()}, load average ${os.loadavg().map((l) => fmt(l, 1)).join(' ')}`);
  const { version, missing } = etcdVersion();
  if (missing) console.log(`etcd: ${missing}. The ratios to etcd are skipped.`);
  if (!postgresBinDir()) {
    console.log('PostgreSQL is not installed (apt-get install -y postgresql): the PostgreSQL figures are skipped.');
  }
  const pgDir = mkdtempSync(join(os.tmpdir(), 'kubeql-bench-pg-'));
  chmodSync(pgDir, 0o755);
  let postgres: LocalPostgres | undefined;
  let etcd: Etcd | undefined;
  const planes: Plane[] = [];
  try {
    etcd = missing ? undefined : await startEtcd(CLIENTS * 2);
    if (postgresBinDir()) postgres = await startLocalPostgres({ dir: join(pgDir, 'cluster'), passwordFile: join(pgDir, 'password'), port: await freePort() });
    const sqlite = await startPlane('SQLite, 1 server', 1, { KUBEQL_SYNC: 'DURABLE' });
    planes.push(sqlite);
    const pgOne = postgres ? await startPlane('PostgreSQL, 1 server', 1, { KUBEQL_DATABASE_URL: postgres.database('bench_one') }) : undefined;
    const pgThree = postgres ? await startPlane('PostgreSQL, 3 servers', 3, { KUBEQL_DATABASE_URL: postgres.database('bench_three') }) : undefined;
    for (const p of [pgOne, pgThree]) if (p) planes.push(p);
    console.log(`etcd ${etcd ? version : '-'}; PostgreSQL ${postgres ? `on 127.0.0.1:${postgres.port}` : '-'}; API servers: ${planes.map((p) => `${p.name} (${p.servers.map((s) => new URL(s.url).port).join(', ')})`).join('; ')}`);

    const parts = (process.env.KUBEQL_BENCH_HA ?? 'write,watch').split(',');
    const chosen = new RegExp(process.env.KUBEQL_BENCH_HA_SYSTEMS ?? '');
    const all: System[] = [
      ...(etcd ? [{ name: ETCD_PUT, cpu: async () => ((u) => u.user + u.system)(await etcd!.cpuUsage()), op: (_c: number, seq: number) => etcd!.put(`bench/ha/${seq}`, VALUE) }] : []),
      ...planes.map(kubeqlSystem),
    ];
    const systems = parts.includes('write') ? all.filter((s) => chosen.test(s.name)) : [];
    const pooled = new Map<string, Pooled>();
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? systems : [...systems].reverse();
      for (const system of order) {
        const r = await closedLoop(system);
        const p = pooled.get(system.name) ?? { count: 0, elapsedMs: 0, latencies: [], cpuUs: 0, rounds: [] };
        p.count += r.count;
        p.elapsedMs += r.elapsedMs;
        for (const l of r.latencies) p.latencies.push(l);
        p.cpuUs += r.cpuUs;
        p.rounds.push((r.count / r.elapsedMs) * 1000);
        pooled.set(system.name, p);
        console.log(`  round ${round + 1}, ${system.name}: ${fmt((r.count / r.elapsedMs) * 1000, 0)}/s, p99 ${fmt(summarize(r.latencies).p99)} ms`);
      }
    }
    const rate = (name: string) => ((p) => (p ? (p.count / p.elapsedMs) * 1000 : NaN))(pooled.get(name));
    const p99 = (name: string) => summarize(pooled.get(name)?.latencies ?? []).p99;
    const etcdName = systems.some((s) => s.name === ETCD_PUT) ? ETCD_PUT : undefined;
    if (systems.length)
      printTable(
      ['system', 'ops/s', 'p50 ms', 'p99 ms', 'server CPU µs/op', '× etcd ops/s', '× etcd p99'],
      systems.map((s) => {
        const p = pooled.get(s.name)!;
        const l = summarize(p.latencies);
        return [s.name, fmt(rate(s.name), 0), fmt(l.p50), fmt(l.p99), fmt(p.cpuUs / p.count, 0), etcdName ? fmt(rate(s.name) / rate(etcdName)) : '-', etcdName ? fmt(l.p99 / p99(etcdName)) : '-'];
      }),
    );

    const targets: [string, boolean][] = [];
    if (etcdName)
      for (const plane of planes.filter((p) => pooled.has(p.name))) {
        const ratio = rate(plane.name) / rate(etcdName);
        targets.push([`target ${plane.name}: createPod/s ≥ 1.00× etcd's put/s with ${CLIENTS} clients (got ${fmt(ratio)}×; per round ${pooled.get(plane.name)!.rounds.map((r) => fmt(r / rate(etcdName), 2)).join(', ')})`, ratio >= 1]);
      }
    if (pgThree && parts.includes('watch')) {
      // At the target's rate, and at a tenth of it (the path's latency when the servers are not saturated).
      for (const [rate, namespace] of [[WATCH_RATE, 'watch-full'], [WATCH_RATE / 10, 'watch-tenth']] as const) {
        const w = await watchAcross(pgThree, [0], 1, rate, namespace);
        console.log(`watch across servers: ${w.sent} writes on server 1 at ${fmt(w.rate, 0)}/s (asked ${rate}/s), watched on server 2 and on server 1; latencies of the last ${WATCH_MS / 1000} s:`);
        printTable(
          ['path', 'count', 'p50 ms', 'p99 ms', 'max ms'],
          [
            ['sent to 1 → delivered by 2', String(w.toB.count), fmt(w.toB.p50), fmt(w.toB.p99), fmt(w.toB.max)],
            ['committed → delivered by 2', String(w.commitToB.count), fmt(w.commitToB.p50), fmt(w.commitToB.p99), fmt(w.commitToB.max)],
            ['answered by 1 → delivered by 2', String(w.ackToB.count), fmt(w.ackToB.p50), fmt(w.ackToB.p99), fmt(w.ackToB.max)],
            ['sent to 1 → delivered by 1', String(w.toA.count), fmt(w.toA.p50), fmt(w.toA.p99), fmt(w.toA.max)],
            ['committed → delivered by 1', String(w.commitToA.count), fmt(w.commitToA.p50), fmt(w.commitToA.p99), fmt(w.commitToA.max)],
            ['delivered by 1 → delivered by 2', String(w.aToB.count), fmt(w.aToB.p50), fmt(w.aToB.p99), fmt(w.aToB.max)],
          ],
        );
        if (w.missing) console.log(`  ${w.missing} writes never delivered by server 2 within 10 s`);
        const label = `commit on server 1 → receipt on server 2 p99 ≤ ${TARGET_WATCH_P99_MS} ms at ${rate} writes/s (got ${fmt(w.commitToB.p99)} ms from the commit, ${fmt(w.toB.p99)} ms from sending, at ${fmt(w.rate, 0)} writes/s${w.missing ? `, ${w.missing} missing` : ''})`;
        const met = w.commitToB.p99 <= TARGET_WATCH_P99_MS && w.commitToB.count === w.toB.count && w.rate >= rate * 0.95 && w.missing === 0;
        if (rate === WATCH_RATE) targets.push([`target ${label}`, met]);
        else console.log(`informational: ${label}: ${met ? 'within' : 'beyond'} the target's latency`);
      }
    }
    if (pgThree && parts.includes('watch')) {
      // Every server writes (each also waits for the head lock in turn), server 2 watches: the writes of 1 and 3 reach it.
      const w = await watchAcross(pgThree, [0, 1, 2], 1, WATCH_RATE, 'watch-mixed');
      console.log(`watch across servers, every server writing: ${w.sent} writes at ${fmt(w.rate, 0)}/s (asked ${WATCH_RATE}/s) in documents taken in turn by servers 1, 2 and 3, watched on server 2; the writes of servers 1 and 3 in the last ${WATCH_MS / 1000} s:`);
      printTable(
        ['path', 'count', 'p50 ms', 'p99 ms', 'max ms'],
        [
          ['sent → delivered by 2', String(w.toB.count), fmt(w.toB.p50), fmt(w.toB.p99), fmt(w.toB.max)],
          ['committed → delivered by 2', String(w.commitToB.count), fmt(w.commitToB.p50), fmt(w.commitToB.p99), fmt(w.commitToB.max)],
          ['answered → delivered by 2', String(w.ackToB.count), fmt(w.ackToB.p50), fmt(w.ackToB.p99), fmt(w.ackToB.max)],
        ],
      );
      if (w.missing) console.log(`  ${w.missing} writes never delivered by server 2 within 10 s`);
    }
    for (const [label, met] of targets) console.log(`${label}: ${verdict(met)}`);
    console.log(`load average after: ${os.loadavg().map((l) => fmt(l, 1)).join(' ')}`);
  } finally {
    for (const p of planes) await stopPlane(p);
    await etcd?.stop();
    await postgres?.stop();
    rmSync(pgDir, { recursive: true, force: true });
  }
}
