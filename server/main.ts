/**
 * `npm start`: the whole plane on one machine, each component its own process talking to the API
 * server over loopback: the API server first (the others start once its /readyz answers ok), then
 * the controller-manager, the scheduler and 3 simulated nodes. Prints the GraphQL URL; Ctrl-C or
 * SIGTERM stops them all. PORT, DATA_DIR and HOST go to the API server; KUBEQL_NODES sets the node
 * count; the agents' debug endpoint (GET /routes) listens on PORT+1 (KUBEQL_AGENTS_DEBUG_PORT).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startApiServerChild } from './components/api-server-child.js';
import type { ChildComponent } from './components/child-component.js';
import { writeCliConfig } from './components/cli-config.js';
import { scheduleTokenRotation, startPlaneClients, type PlaneClients } from './components/plane-clients.js';
import { createLogger } from './logging/logger.js';

// The components' logs (pino) human-readable in a terminal, JSON lines otherwise (children inherit it).
process.env.KUBEQL_LOG_FORMAT ??= process.stdout.isTTY ? 'pretty' : 'json';
const log = createLogger('kubeql');
const dataDir = process.env.DATA_DIR ?? './data';
const nodes = process.env.KUBEQL_NODES ?? '3';

// Output to a terminal or pipe that went away (EPIPE) must not take the plane down with it.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

let api: ChildComponent | undefined;
let clients: PlaneClients | undefined;
let stopping = false;

async function stopAll(code: number): Promise<never> {
  stopping = true;
  // Clients first, the API server last.
  await clients?.stop();
  await api?.stop();
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void (stopping ? undefined : stopAll(0)));

let url: string;
try {
  ({ url } = await startApiServerChild('apiserver', { DATA_DIR: dataDir }, (component) => {
    api = component;
    void component.exited.then((code) => {
      if (stopping) return;
      log.error({ code }, `the API server exited (code ${code}); stopping everything`);
      void stopAll(1);
    });
  }));
} catch (error) {
  log.error(`the API server did not become ready: ${(error as Error).message}`);
  await stopAll(1);
}
const tokenFile = join(dataDir, 'admin.token');
const token = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined;
const apiPort = Number(new URL(url!).port);
const debugPort = process.env.KUBEQL_AGENTS_DEBUG_PORT ?? (process.env.PORT === '0' ? '0' : String(apiPort + 1));
// Each component acts as its own identity with least privilege (DESIGN §5).
try {
  clients = await startPlaneClients({ server: url!, adminToken: token!, nodes, debugPort, stopping: () => stopping, log });
} catch (error) {
  log.error(`could not issue the components' tokens: ${(error as Error).message}`);
  await stopAll(1);
}
const cliConfig = writeCliConfig(url!.replace(/\/graphql$/, ''), token!);

// Every issued token expires (48 h at most, and the nodes' tokens the agents mint with theirs):
// well before that, new tokens, and each client restarted on them in turn. Informers resume from
// their revisions and agents re-adopt their pods, so the cluster carries on.
const badRotation = scheduleTokenRotation(() => clients, () => stopping, log);
if (badRotation) {
  log.error(badRotation);
  await stopAll(1);
}
// The lines npm start prints whatever LOG_LEVEL says: where to go.
process.stdout.write(`kubeql: GraphQL at ${url!} (GraphiQL in a browser), dashboard at ${url!.replace(/\/graphql$/, '/')}; data in ${dataDir}; kq configured in ${cliConfig}; Ctrl-C stops everything\n`);
// The API server wrote kubectl's config into the data directory (never ~/.kube/config).
process.stdout.write(`kubeql: kubectl works too: export KUBECONFIG=${resolve(join(dataDir, 'kubeconfig'))}\n`);
