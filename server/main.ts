/**
 * `npm start`: the whole plane on one machine, each component its own process talking to the API
 * server over loopback: the API server first (the others start once its /readyz answers ok), then
 * the controller-manager, the scheduler and 3 simulated nodes. Prints the GraphQL URL; Ctrl-C or
 * SIGTERM stops them all. PORT, DATA_DIR and HOST go to the API server; KUBEQL_NODES sets the node
 * count; the agents' debug endpoint (GET /routes) listens on PORT+1 (KUBEQL_AGENTS_DEBUG_PORT).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startChildComponent, type ChildComponent } from './components/child-component.js';
import { writeCliConfig } from './components/cli-config.js';
import { componentTokens, type ComponentTokens } from './components/component-tokens.js';
import { waitUntilReady } from './components/wait-ready.js';
import { createLogger } from './logging/logger.js';

// The components' logs (pino) human-readable in a terminal, JSON lines otherwise (children inherit it).
process.env.KUBEQL_LOG_FORMAT ??= process.stdout.isTTY ? 'pretty' : 'json';
const log = createLogger('kubeql');
const dataDir = process.env.DATA_DIR ?? './data';
const nodes = process.env.KUBEQL_NODES ?? '3';

// Output to a terminal or pipe that went away (EPIPE) must not take the plane down with it.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});

const api = startChildComponent('apiserver', 'api/main', [], { DATA_DIR: dataDir });
const components: ChildComponent[] = [api];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  stopping = true;
  // Clients first, the API server last.
  await Promise.all(components.filter((c) => c !== api).map((c) => c.stop()));
  await api.stop();
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void (stopping ? undefined : stopAll(0)));
void api.exited.then((code) => {
  if (stopping) return;
  log.error({ code }, `the API server exited (code ${code}); stopping everything`);
  void stopAll(1);
});

let url: string;
try {
  url = await api.waitForMessage((m) => (isListening(m) ? m.url : undefined));
  await waitUntilReady(url.replace(/\/graphql$/, '/readyz'), { exited: api.exited });
} catch (error) {
  log.error(`the API server did not become ready: ${(error as Error).message}`);
  await stopAll(1);
}
const tokenFile = join(dataDir, 'admin.token');
const token = existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : undefined;
// Each component acts as its own identity with least privilege (DESIGN §5); tokens go in the
// environment, not on a command line every user of the machine can read.
let tokens: ComponentTokens;
try {
  tokens = await componentTokens(url!, token!);
} catch (error) {
  log.error(`could not issue the components' tokens: ${(error as Error).message}`);
  await stopAll(1);
}
const envFor = (t: string) => ({ KUBEQL_SERVER: url!, KUBEQL_TOKEN: t });
const cliConfig = writeCliConfig(url!.replace(/\/graphql$/, ''), token!);
const apiPort = Number(new URL(url!).port);
const debugPort = process.env.KUBEQL_AGENTS_DEBUG_PORT ?? (process.env.PORT === '0' ? '0' : String(apiPort + 1));

/** The clients, each with its own token; a restarted one is not an exit worth reporting. */
const restarting = new Set<ChildComponent>();
function startClient(name: 'controller-manager' | 'scheduler' | 'agents', t: ComponentTokens): ChildComponent {
  const [entry, args, componentToken] =
    name === 'controller-manager' ? ['controllers/main', [], t.controllerManager]
    : name === 'scheduler' ? ['scheduler/main', [], t.scheduler]
    : ['agent/main', ['--nodes', nodes, '--zones', '3', '--debug-port', debugPort, '--node-tokens'], t.nodeBootstrapper];
  const c = startChildComponent(name, entry, args, envFor(componentToken));
  void c.exited.then((code) => !stopping && !restarting.has(c) && log.error({ component: name, code }, `${name} exited (code ${code})`));
  return c;
}
const CLIENTS = ['controller-manager', 'scheduler', 'agents'] as const;
components.push(...CLIENTS.map((name) => startClient(name, tokens!)));

// Every issued token expires (48 h at most, and the nodes' tokens the agents mint with theirs):
// well before that, new tokens, and each client restarted on them in turn. Informers resume from
// their revisions and agents re-adopt their pods, so the cluster carries on.
const rotationSeconds = Number(process.env.KUBEQL_TOKEN_ROTATION_SECONDS ?? 24 * 3600);
if (!(rotationSeconds >= 1)) {
  log.error(`KUBEQL_TOKEN_ROTATION_SECONDS must be a number of seconds, at least 1, not ${process.env.KUBEQL_TOKEN_ROTATION_SECONDS}`);
  await stopAll(1);
}
setInterval(() => void rotateTokens(), rotationSeconds * 1000).unref();
async function rotateTokens(): Promise<void> {
  if (stopping) return;
  try {
    const fresh = await componentTokens(url!, token!);
    for (const name of CLIENTS) {
      if (stopping) return;
      const i = components.findIndex((c) => c.name === name);
      restarting.add(components[i]);
      await components[i].stop();
      if (stopping) return;
      components[i] = startClient(name, fresh);
    }
    log.info('the components restarted with new tokens');
  } catch (error) {
    log.error(`could not renew the components' tokens: ${(error as Error).message}; trying again at the next interval`);
  }
}
// The lines npm start prints whatever LOG_LEVEL says: where to go.
process.stdout.write(`kubeql: GraphQL at ${url!} (GraphiQL in a browser), dashboard at ${url!.replace(/\/graphql$/, '/')}; data in ${dataDir}; kq configured in ${cliConfig}; Ctrl-C stops everything\n`);
// The API server wrote kubectl's config into the data directory (never ~/.kube/config).
process.stdout.write(`kubeql: kubectl works too: export KUBECONFIG=${resolve(join(dataDir, 'kubeconfig'))}\n`);

function isListening(m: unknown): m is { type: 'listening'; url: string } {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'listening' && typeof (m as { url?: unknown }).url === 'string';
}
