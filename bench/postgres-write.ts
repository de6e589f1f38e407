/**
 * createPod over GraphQL/HTTP with the log in SQLite (KUBEQL_SYNC=DURABLE, the default) and in
 * PostgreSQL (a server started here: initdb into a temporary directory, fsync on), with one and
 * with two API servers on the PostgreSQL database, each in a process of its own. 16 clients in a
 * closed loop, spread over the servers, for a fixed time after a warm-up. Prints the rates; it
 * never fails because of timing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startPostgres } from '../test/support/postgres.js';
import { startChildServer, type ChildServer } from './child-server.js';
import { createGraphQLClient, type GraphQLClient } from './graphql-client.js';
import { fmt, machine, printTable, summarize } from './stats.js';

const WARMUP_MS = 1_000;
const DURATION_MS = 4_000;
const CLIENTS = 16;
const CREATE_POD = /* GraphQL */ `mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`;

async function measure(label: string, servers: ChildServer[]): Promise<string[]> {
  const clients: GraphQLClient[] = servers.map((s) => createGraphQLClient(s.url, { token: readFileSync(join(s.dataDir, 'admin.token'), 'utf8').trim() }));
  let seq = 0;
  const phase = async (ms: number, record: number[] | null) => {
    const deadline = performance.now() + ms;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const client = clients[c % clients.length];
        while (performance.now() < deadline) {
          const t0 = performance.now();
          const name = `${label.replace(/\W+/g, '-')}-${seq++}`;
          await client.request(CREATE_POD, { i: { metadata: { name }, spec: { containers: [{ name: 'a', image: 'nginx' }] } } });
          record?.push(performance.now() - t0);
        }
      }),
    );
  };
  try {
    await phase(WARMUP_MS, null);
    const latencies: number[] = [];
    const started = performance.now();
    await phase(DURATION_MS, latencies);
    const elapsed = performance.now() - started;
    const s = summarize(latencies);
    return [label, fmt((latencies.length / elapsed) * 1000, 0), fmt(s.p50, 1), fmt(s.p99, 1)];
  } finally {
    for (const c of clients) c.close();
  }
}

export async function run(): Promise<void> {
  console.log(`\n# createPod: SQLite vs PostgreSQL (${CLIENTS} clients, ${DURATION_MS / 1000} s) on ${machine()}`);
  const rows: string[][] = [];
  const sqlite = await startChildServer({ synchronous: 'DURABLE' });
  try {
    rows.push(await measure('sqlite, 1 server', [sqlite]));
  } finally {
    await sqlite.stop();
  }
  const postgres = await startPostgres();
  try {
    for (const count of [1, 2]) {
      const env = { KUBEQL_DATABASE_URL: await postgres.createDatabase() };
      const servers: ChildServer[] = [];
      try {
        for (let i = 0; i < count; i++) servers.push(await startChildServer({ env }));
        rows.push(await measure(`postgres, ${count} server${count > 1 ? 's' : ''}`, servers));
      } finally {
        await Promise.all(servers.map((s) => s.stop()));
      }
    }
  } finally {
    await postgres.stop();
  }
  printTable(['log', 'createPod/s', 'p50 ms', 'p99 ms'], rows);
}
