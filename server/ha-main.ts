/**
 * `npm run start:ha`: the plane with several API servers sharing one log in PostgreSQL (DESIGN §8),
 * on one machine. A PostgreSQL of its own in $DATA_DIR/postgres (initialised at first start; its
 * password in $DATA_DIR/postgres.password), unless KUBEQL_DATABASE_URL names one; then
 * KUBEQL_API_SERVERS (3) API servers on PORT, PORT+1, ... (PORT 8080; 0: free ports), the first
 * alone (it bootstraps the log and writes the admin token and serving certificate into DATA_DIR,
 * which the others then share), then the controller-manager, the scheduler and KUBEQL_NODES
 * simulated nodes, each given every API server: they fail over when one dies. kq is configured
 * with them all. An API server that exits is reported and the plane carries on on the others;
 * Ctrl-C or SIGTERM stops everything (clients, API servers, then PostgreSQL).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startApiServerChild } from './components/api-server-child.js';
import type { ChildComponent } from './components/child-component.js';
import { writeCliConfig } from './components/cli-config.js';
import { freePort } from './components/free-port.js';
import { LocalPostgresError, startLocalPostgres, type LocalPostgres } from './components/local-postgres.js';
import { scheduleTokenRotation, startPlaneClients, type PlaneClients } from './components/plane-clients.js';
import { createLogger } from './logging/logger.js';

process.env.KUBEQL_LOG_FORMAT ??= process.stdout.isTTY ? 'pretty' : 'json';
const log = createLogger('kubeql');
const dataDir = process.env.DATA_DIR ?? './data';
const nodes = process.env.KUBEQL_NODES ?? '3';
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

let postgres: LocalPostgres | undefined;
const apis: ChildComponent[] = [];
let clients: PlaneClients | undefined;
let stopping = false;

async function stopAll(code: number): Promise<never> {
  stopping = true;
  // Clients first, then the API servers, PostgreSQL last.
  await clients?.stop();
  await Promise.all(apis.map((a) => a.stop()));
  await postgres?.stop();
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void (stopping ? undefined : stopAll(0)));

/** A setting that must be a whole number in a range, or the start stops saying which. */
async function whole(name: string, fallback: number, min: number, max: number): Promise<number> {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    log.error(`${name} must be a whole number from ${min} to ${max}, not ${raw}`);
    return stopAll(1);
  }
  return n;
}
const count = await whole('KUBEQL_API_SERVERS', 3, 1, 16);
const basePort = await whole('PORT', 8080, 0, 65535 - count);

let databaseUrl = process.env.KUBEQL_DATABASE_URL;
if (databaseUrl) {
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    log.error(`KUBEQL_DATABASE_URL must be a postgres:// URL, not ${databaseUrl.split(':')[0]}:…`);
    await stopAll(1);
  }
} else {
  try {
    const port = (await whole('KUBEQL_POSTGRES_PORT', 0, 0, 65535)) || (await freePort());
    postgres = await startLocalPostgres({
      dir: join(dataDir, 'postgres'),
      passwordFile: join(dataDir, 'postgres.password'),
      port,
      onLine: (line) => process.stdout.write(`[postgres] ${line}\n`),
    });
  } catch (error) {
    log.error(error instanceof LocalPostgresError ? error.message : `PostgreSQL did not start: ${(error as Error).message}`);
    await stopAll(1);
  }
  databaseUrl = postgres!.url;
  void postgres!.exited.then((code) => {
    if (stopping) return;
    log.error({ code }, `PostgreSQL exited (code ${code}); stopping everything`);
    void stopAll(1);
  });
}

/** Starts API server `i` (0-based) on the shared log; resolves with its GraphQL URL. */
async function startApi(i: number): Promise<string> {
  const name = `apiserver-${i + 1}`;
  const port = basePort === 0 ? 0 : basePort + i;
  const { url } = await startApiServerChild(name, { DATA_DIR: dataDir, PORT: String(port), KUBEQL_DATABASE_URL: databaseUrl }, (component) => {
    apis.push(component);
    void component.exited.then((code) => {
      if (stopping) return;
      const left = apis.filter((a) => a.child.exitCode === null && a.child.signalCode === null).length;
      if (left > 0) return log.error({ component: name, code }, `${name} exited (code ${code}); the plane carries on on the other ${left}`);
      log.error({ code }, `${name} exited (code ${code}), the last API server; stopping everything`);
      void stopAll(1);
    });
  });
  return url;
}

let urls: string[];
try {
  // The first alone: it writes the log's first events, the admin token and the serving certificate.
  const first = await startApi(0);
  urls = [first, ...(await Promise.all(Array.from({ length: count - 1 }, (_, i) => startApi(i + 1))))];
} catch (error) {
  log.error(`an API server did not become ready: ${(error as Error).message}`);
  await stopAll(1);
}
const tokenFile = join(dataDir, 'admin.token');
const token = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined;
const bases = urls!.map((u) => u.replace(/\/graphql$/, ''));
const lastPort = Number(new URL(urls!.at(-1)!).port);
const debugPort = process.env.KUBEQL_AGENTS_DEBUG_PORT ?? (basePort === 0 ? '0' : String(lastPort + 1));
try {
  clients = await startPlaneClients({ server: bases.join(','), adminToken: token!, nodes, debugPort, stopping: () => stopping, log });
} catch (error) {
  log.error(`could not issue the components' tokens: ${(error as Error).message}`);
  await stopAll(1);
}
const cliConfig = writeCliConfig(bases, token!);
const badRotation = scheduleTokenRotation(() => clients, () => stopping, log);
if (badRotation) {
  log.error(badRotation);
  await stopAll(1);
}
const where = postgres ? `PostgreSQL on 127.0.0.1:${postgres.port} (its data in ${join(dataDir, 'postgres')})` : 'PostgreSQL at KUBEQL_DATABASE_URL';
process.stdout.write(`kubeql: ${count} API servers on one log: GraphQL at ${urls!.join(', ')}; ${where}; data in ${dataDir}; kq configured in ${cliConfig} with every server; Ctrl-C stops everything\n`);
process.stdout.write(`kubeql: kubectl works too (one server): export KUBECONFIG=${resolve(join(dataDir, 'kubeconfig'))}\n`);
