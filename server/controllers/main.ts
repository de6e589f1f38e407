/** `npm run controller-manager -- --server URL --token T`: every controller, as one process. */
import { componentArgs } from '../components/client-config.js';
import { createLogger } from '../logging/logger.js';
import { metricsPort, startMetricsServer } from '../components/metrics-server.js';
import { controllers } from './all.js';
import { controllerRegistry } from './framework/controller-metrics.js';
import { startControllerManager } from './framework/manager.js';

const log = createLogger('controller-manager');

const args = componentArgs(process.argv.slice(2), {
  'node-monitor-grace-period-ms': { type: 'string' },
  'pod-eviction-timeout-ms': { type: 'string' },
  'node-eviction-rate': { type: 'string' },
  'secondary-node-eviction-rate': { type: 'string' },
  'unhealthy-zone-threshold': { type: 'string' },
  'large-cluster-size-threshold': { type: 'string' },
  'metrics-port': { type: 'string' },
});
/** A flag's number (non-negative, finite), or undefined when absent; anything else stops the process with a clear message. */
const ms = (flag: string) => {
  const raw = args.flags[flag];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    log.error(`--${flag} must be a non-negative number, not ${String(raw)}`);
    process.exit(1);
  }
  return n;
};
const settings = Object.fromEntries(
  Object.entries({
    nodeMonitorGracePeriodMs: ms('node-monitor-grace-period-ms'),
    podEvictionTimeoutMs: ms('pod-eviction-timeout-ms'),
    nodeEvictionRate: ms('node-eviction-rate'),
    secondaryNodeEvictionRate: ms('secondary-node-eviction-rate'),
    unhealthyZoneThreshold: ms('unhealthy-zone-threshold'),
    largeClusterSizeThreshold: ms('large-cluster-size-threshold'),
  }).filter(([, v]) => v !== undefined),
);
const manager = startControllerManager({ server: args.server, token: args.token }, controllers, settings);
log.info({ server: args.server, controllers: manager.controllers.map((c) => c.name) }, `controller-manager: ${manager.controllers.map((c) => c.name).join(', ') || 'no controllers'} against ${args.server}`);
const port = metricsPort(args.flags['metrics-port']);
const metrics = port === undefined ? undefined : await startMetricsServer(controllerRegistry, port);
if (metrics) log.info({ metrics: metrics.url }, `controller-manager: metrics at ${metrics.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void Promise.all([manager.stop(), metrics?.close()]).then(() => process.exit(0)));
