/**
 * A benchmark's API server in a process of its own, so the load generator's CPU does not share
 * the server's thread. DATA_DIR (required) and KUBEQL_SYNC (DURABLE, the default, FULL or NORMAL) come
 * from the environment, and KUBEQL_WATCH (optional) the watch engine's settings as JSON
 * (`{"bookmarkIntervalMs": 60000}`); the server listens on a free port and prints `{"url": ...}` as one JSON
 * line on stdout. It stops on SIGTERM/SIGINT or when its stdin closes (the parent went away).
 * A line `cpu` on stdin is answered with `{"cpu": process.cpuUsage()}` (µs) on stdout.
 * The server is the compiled one in dist/ (child-server.ts builds it when stale), as `npm start`
 * runs it; with KUBEQL_BENCH_FROM_SOURCE=1, its TypeScript (bench/compiled.ts).
 */
// First, as in the API server's entry point: libraries read NODE_ENV as they load.
import '../server/api/production-mode.js';
import { createInterface } from 'node:readline';
import { FROM_SOURCE } from './compiled.js';

const { startApiServer } = (await import(FROM_SOURCE ? '../server/api/server.js' : '../dist/api/server.js')) as typeof import('../server/api/server.js');

const dataDir = process.env.DATA_DIR;
if (!dataDir) {
  console.error('bench/serve.ts: DATA_DIR is required');
  process.exit(2);
}
const sync = (process.env.KUBEQL_SYNC ?? 'DURABLE').toUpperCase();
if (sync !== 'FULL' && sync !== 'DURABLE' && sync !== 'NORMAL') {
  console.error(`bench/serve.ts: KUBEQL_SYNC must be FULL, DURABLE or NORMAL, not ${sync}`);
  process.exit(2);
}

const watch = process.env.KUBEQL_WATCH ? JSON.parse(process.env.KUBEQL_WATCH) : undefined;

// The load comes from one identity (admin) on many connections, like etcd's benchmark client; the
// per-identity request rate limit (2,000/s by default) is a fairness guard, not the write path under
// measurement, and a quiet machine exceeds it. It is lifted here, and only here.
const limits = { requestsPerSecond: 1_000_000, burst: 1_000_000 };
// KUBEQL_DATABASE_URL: the log in PostgreSQL (bench/postgres-write.ts).
const server = await startApiServer({ dataDir, port: 0, synchronous: sync, watch, limits, databaseUrl: process.env.KUBEQL_DATABASE_URL || undefined });
process.stdout.write(JSON.stringify({ url: server.url, pid: process.pid }) + '\n');

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
const commands = createInterface({ input: process.stdin });
commands.on('line', (line) => {
  if (line.trim() === 'cpu') process.stdout.write(JSON.stringify({ cpu: process.cpuUsage() }) + '\n');
});
commands.on('close', stop);
