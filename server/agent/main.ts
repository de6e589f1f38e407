/**
 * `npm run agents -- --server URL [--token T] --nodes N [--prefix node-] [--cpu 4 --memory 8Gi --pods 110]
 * [--zones 3] [--lease-interval-ms 10000] [--deletion-grace-ms 1000] [--debug-port P]`:
 * N simulated node agents in one process; with --debug-port, GET /routes shows the proxy table.
 */
import { componentArgs } from '../components/client-config.js';
import { createLogger } from '../logging/logger.js';
import { metricsPort, startMetricsServer } from '../components/metrics-server.js';
import { createAgentMetrics } from './agent-metrics.js';
import { startAgents } from './agents.js';
import { startDebugServer } from './debug-server.js';

const args = componentArgs(process.argv.slice(2), {
  nodes: { type: 'string', default: '1' },
  prefix: { type: 'string', default: 'node-' },
  cpu: { type: 'string', default: '4' },
  memory: { type: 'string', default: '8Gi' },
  pods: { type: 'string', default: '110' },
  zones: { type: 'string', default: '3' },
  'lease-interval-ms': { type: 'string' },
  'lease-duration-seconds': { type: 'string' },
  'deletion-grace-ms': { type: 'string' },
  'agents-per-connection': { type: 'string' },
  'node-tokens': { type: 'boolean' },
  'debug-port': { type: 'string' },
  'metrics-port': { type: 'string' },
});
const logger = createLogger('agent');
const str = (flag: string) => args.flags[flag] as string | undefined;
const num = (flag: string) => (str(flag) !== undefined ? Number(str(flag)) : undefined);
const nodes = num('nodes')!;
if (!Number.isInteger(nodes) || nodes < 0) {
  logger.error(`--nodes must be a whole number, not ${str('nodes')}`);
  process.exit(1);
}

const agents = await startAgents({
  server: args.server,
  token: args.token,
  nodes,
  prefix: str('prefix'),
  cpu: str('cpu'),
  memory: str('memory'),
  pods: str('pods'),
  zones: num('zones'),
  leaseIntervalMs: num('lease-interval-ms'),
  leaseDurationSeconds: num('lease-duration-seconds'),
  deletionGraceMs: num('deletion-grace-ms'),
  agentsPerConnection: num('agents-per-connection'),
  nodeTokens: args.flags['node-tokens'] === true,
  log: (line) => logger.info(`agents: ${line}`),
});
const debug = str('debug-port') !== undefined ? await startDebugServer(num('debug-port')!, { routes: () => agents.proxy.routes(), pick: (ip, port, protocol) => agents.proxy.pick(ip, port, protocol), nodes: agents.nodes, connections: agents.connections }) : undefined;
if (debug) logger.info({ debug: debug.url }, `agents: debug ${debug.url}/routes`);
const port = metricsPort(str('metrics-port'));
const metrics = port === undefined ? undefined : await startMetricsServer(createAgentMetrics(() => agents.agents.values(), agents.connections), port);
if (metrics) logger.info({ metrics: metrics.url }, `agents: metrics at ${metrics.url}`);
logger.info({ server: args.server, nodes }, `agents: ${nodes} nodes (${str('prefix')}0..) against ${args.server}`);
void agents.started.then(() => logger.info(`agents: all ${nodes} nodes registered and running`));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void Promise.all([agents.stop(), debug?.close(), metrics?.close()]).finally(() => process.exit(0));
  });
