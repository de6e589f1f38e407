/**
 * What a heartbeat costs next to a pod create, end to end in the API server (HTTP, auth, log,
 * projections, watch fan-out), against a server in a child process with the watchers a plane has:
 * the node-lifecycle controller's Lease watch, a cluster-wide Pod watch (controllers, scheduler)
 * and one `spec.nodeName` Pod watch per node (the agents). Each node renews its Lease as itself
 * (system:node:<name>) as the agents do: kubelet's PUT of the Lease it holds, with its
 * resourceVersion, through the REST API (server/agent/lease-heartbeat.ts), one renewal of a node at
 * a time. For comparison the same renewal as a GraphQL updateLease (the object client's
 * updateVersion). Pods are created by the admin with createPod. Figures: the server's CPU time per
 * operation (µs), latency, and the renewal's share of a create.
 */
import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { leaseOf, leasePath } from '../server/agent/lease-heartbeat.js';
import { startChildServer } from './child-server.js';
import { createGraphQLClient, type GraphQLClient } from './graphql-client.js';
import { fmt, machine, printTable, summarize, verdict } from './stats.js';
import { connectWs } from './ws-connection.js';

/** Enough nodes that the measured renewals stay inside each node's heartbeat budget (5 a second, 10 at once). */
const NODES = Number(process.env.KUBEQL_BENCH_NODES ?? 500);
const OPS = Number(process.env.KUBEQL_BENCH_OPS ?? 2000);
const CONCURRENCY = 16;
/** Measured in this many rounds of each kind, each kind first in turn. */
const ROUNDS = 6;
/** Operations of each kind run first and not measured: a fresh server's first thousand requests pay for compiling its code. */
const WARMUP = Number(process.env.KUBEQL_BENCH_WARMUP ?? 500);
/** The target: a renewal costs at most this share of a pod create (server CPU). */
const TARGET_SHARE = 0.5;

/** The same renewal over GraphQL (the object client's updateVersion of a Lease). */
const RENEWAL = /* GraphQL */ `mutation($input: LeaseInput!, $requestId: String) { r: updateLease(input: $input, requestId: $requestId) { metadata { resourceVersion } } }`;

/** The plane's watches are informers': the object client's watch document (server/client/object-client.ts), whole objects. */
const watchOf = (kind: 'Lease' | 'Pod') => /* GraphQL */ `subscription($fieldSelector: String) {
  watch(kind: ${kind}, fieldSelector: $fieldSelector) { type revision object { ... on ${kind} { manifest } } }
}`;

/** One operation's figures, summed over the rounds. */
interface Tally {
  label: string;
  cpuUs: number;
  ops: number;
  elapsedMs: number;
  latencies: number[];
}

/** Operations `from` to `to` (exclusive) of one kind, CONCURRENCY at a time; their server CPU and times go into `tally`. */
async function phase(tally: Tally, clients: GraphQLClient[], op: (client: GraphQLClient, i: number) => Promise<unknown>, cpu: () => Promise<NodeJS.CpuUsage>, from: number, to: number) {
  let next = from;
  const before = await cpu();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, w) => {
      for (let i = next++; i < to; i = next++) {
        const t = performance.now();
        await op(clients[(w + i) % clients.length], i);
        tally.latencies.push(performance.now() - t);
      }
    }),
  );
  tally.elapsedMs += performance.now() - started;
  const after = await cpu();
  tally.cpuUs += after.user - before.user + after.system - before.system;
  tally.ops += to - from;
}

const tally = (label: string): Tally => ({ label, cpuUs: 0, ops: 0, elapsedMs: 0, latencies: [] });

export async function run(): Promise<void> {
  const server = await startChildServer();
  try {
    const admin = readFileSync(join(server.dataDir, 'admin.token'), 'utf8').trim();
    const client = createGraphQLClient(server.url, { maxSockets: CONCURRENCY * 2, token: admin });
    await client.request(`mutation { createNamespace(input: { metadata: { name: "hb" } }) { metadata { name } } }`);
    const names = Array.from({ length: NODES }, (_, i) => `hb-${i}`);
    // The nodes' requests share one keep-alive pool, as the agents' heartbeat pool is shared (server/client/connection-pool.ts).
    const heartbeatPool = new Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2, maxFreeSockets: CONCURRENCY * 2 });
    const nodeClients: GraphQLClient[] = [];
    const nodeTokens: string[] = [];
    for (let i = 0; i < names.length; i += 25) {
      const batch = names.slice(i, i + 25);
      const data = await client.request(`mutation {\n${batch.map((n, j) => `t${j}: createNodeToken(nodeName: "${n}") { token }`).join('\n')}\n}`);
      batch.forEach((_, j) => {
        nodeTokens.push(data[`t${j}`].token);
        nodeClients.push(createGraphQLClient(server.url, { agent: heartbeatPool, token: data[`t${j}`].token }));
      });
    }
    // Each node's Lease as its agent holds it, and the resourceVersion of its last renewal.
    const leases = names.map((node) => ({ node, nodeUid: '', durationSeconds: 40 }));
    const held: string[] = [];
    await Promise.all(
      names.map(async (n, i) => {
        const node = await nodeClients[i].request(`mutation($n: String!) { createNode(input: { metadata: { name: $n } }) { metadata { uid } } }`, { n });
        leases[i].nodeUid = node.createNode.metadata.uid;
        const lease = await nodeClients[i].request(`mutation($i: LeaseInput!) { createLease(input: $i) { metadata { resourceVersion } } }`, { i: leaseOf(leases[i]) });
        held[i] = lease.createLease.metadata.resourceVersion;
      }),
    );
    // The plane's watchers.
    let frames = 0;
    const onFrame = (data: Buffer) => {
      frames++;
      if (data.includes('"errors"') || data.includes('"type":"error"')) throw new Error(`a watch failed: ${data.toString().slice(0, 300)}`);
    };
    const controller = await connectWs(server.url, admin, onFrame);
    controller.subscribe('leases', watchOf('Lease'), {});
    controller.subscribe('pods', watchOf('Pod'), {});
    const agentConnections = await Promise.all(Array.from({ length: Math.ceil(NODES / 50) }, () => connectWs(server.url, admin, onFrame)));
    names.forEach((n, i) => agentConnections[Math.floor(i / 50)].subscribe(`node-${i}`, watchOf('Pod'), { fieldSelector: `spec.nodeName=${n}` }));
    await new Promise((r) => setTimeout(r, 1000));

    // The agents' renewal: PUT of the Lease with its resourceVersion; the answer is the Lease.
    const target = new URL(server.url);
    const put = (n: number) =>
      new Promise<string>((resolve, reject) => {
        const body = JSON.stringify(leaseOf(leases[n], held[n]));
        const headers = { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${nodeTokens[n]}` };
        const req = httpRequest({ agent: heartbeatPool, host: target.hostname, port: target.port, method: 'PUT', path: leasePath(names[n]), headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) reject(new Error(`PUT of a Lease: HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
            else resolve((JSON.parse(text) as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
          });
        });
        req.on('error', reject);
        req.end(body);
      });
    // Renewal i renews node i mod NODES, after that node's previous renewal (a kubelet has one at a time).
    const lastRenewal: Promise<unknown>[] = [];
    const renewal = (over: 'rest' | 'graphql') => (_: GraphQLClient, i: number) => {
      const n = i % NODES;
      const renewed = (lastRenewal[n] ?? Promise.resolve()).then(async () => {
        if (over === 'rest') held[n] = await put(n);
        else held[n] = (await nodeClients[n].request(RENEWAL, { input: leaseOf(leases[n], held[n]) })).r.metadata.resourceVersion;
      });
      lastRenewal[n] = renewed.catch(() => {});
      return renewed;
    };
    const podCreate = (prefix: string) => (c: GraphQLClient, i: number) =>
      c.request(`mutation($i: PodInput!) { createPod(input: $i) { metadata { resourceVersion } } }`, {
        i: { metadata: { name: `${prefix}-${i}`, namespace: 'hb', labels: { app: 'hb' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: '10m' } } }] } },
      });
    // Every path warmed up first, so that none pays for another's compilation.
    if (WARMUP > 0) {
      await phase(tally('warm-up'), nodeClients, renewal('rest'), server.cpuUsage, 0, WARMUP);
      await phase(tally('warm-up'), nodeClients, renewal('graphql'), server.cpuUsage, 0, WARMUP);
      await phase(tally('warm-up'), [client], podCreate('warm'), server.cpuUsage, 0, WARMUP);
      // Each node's heartbeat budget (5 a second) refilled before the measured renewals.
      await new Promise((r) => setTimeout(r, 2500));
    }
    // The kinds in rotating rounds (each goes first in turn): whichever ran first in one block paid
    // for what the server does after a burst of setup (a WAL checkpoint, a major GC), 1.3-1.6x its
    // cost when run second.
    const renew = tally('Lease renewal (REST PUT as the node: the agents\' heartbeat)');
    const renewGraphql = tally('Lease renewal (GraphQL updateLease as the node)');
    const create = tally('Pod create (createPod)');
    const perRound = Math.ceil(OPS / ROUNDS);
    for (let r = 0, from = 0; from < OPS; r++, from += perRound) {
      const to = Math.min(OPS, from + perRound);
      const kinds = [
        () => phase(renew, nodeClients, renewal('rest'), server.cpuUsage, from, to),
        () => phase(renewGraphql, nodeClients, renewal('graphql'), server.cpuUsage, from, to),
        () => phase(create, [client], podCreate('p'), server.cpuUsage, from, to),
      ];
      for (let k = 0; k < kinds.length; k++) await kinds[(r + k) % kinds.length]();
    }

    console.log(`\nheartbeat: ${NODES} nodes, ${OPS} operations each in ${ROUNDS} rotating rounds after ${WARMUP} of each to warm up, ${CONCURRENCY} concurrent; watchers: Lease and Pod cluster-wide, one spec.nodeName Pod watch per node (${frames} frames received); ${machine()}`);
    printTable(
      ['operation', 'server CPU µs/op', 'ops/s', 'p50 ms', 'p99 ms'],
      [renew, renewGraphql, create].map((t) => {
        const latency = summarize(t.latencies);
        return [t.label, fmt(t.cpuUs / t.ops, 0), fmt((t.ops / t.elapsedMs) * 1000, 0), fmt(latency.p50), fmt(latency.p99)];
      }),
    );
    const share = renew.cpuUs / renew.ops / (create.cpuUs / create.ops);
    const graphqlShare = renewGraphql.cpuUs / renewGraphql.ops / (create.cpuUs / create.ops);
    console.log(`a renewal as the agents send it costs ${fmt(share * 100, 0)}% of a pod create (server CPU; over GraphQL ${fmt(graphqlShare * 100, 0)}%); target at most ${TARGET_SHARE * 100}%: ${verdict(share <= TARGET_SHARE)}`);
    controller.close();
    agentConnections.forEach((c) => c.close());
    nodeClients.forEach((c) => c.close());
    heartbeatPool.destroy();
    client.close();
  } finally {
    await server.stop();
  }
}

