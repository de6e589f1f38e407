/** `npm run scheduler -- --server URL --token T`: the scheduler as its own process. */
import { createKubeqlClient } from '../client/client.js';
import { componentArgs } from '../components/client-config.js';
import { createLogger } from '../logging/logger.js';
import { metricsPort, startMetricsServer } from '../components/metrics-server.js';
import { createSchedulerMetrics } from './scheduler-metrics.js';
import { startScheduler } from './scheduler.js';

const args = componentArgs(process.argv.slice(2), {
  'scheduler-name': { type: 'string' },
  'bind-concurrency': { type: 'string' },
  'initial-backoff-ms': { type: 'string' },
  'max-backoff-ms': { type: 'string' },
  'percentage-of-nodes-to-score': { type: 'string' },
  'metrics-port': { type: 'string' },
});
const num = (flag: string) => (args.flags[flag] !== undefined ? Number(args.flags[flag]) : undefined);
const logger = createLogger('scheduler');
const client = createKubeqlClient({ server: args.server, token: args.token });
const metrics = createSchedulerMetrics(() => scheduler.queue.counts());
const scheduler = startScheduler({
  metrics,
  client,
  schedulerName: args.flags['scheduler-name'] as string | undefined,
  bindConcurrency: num('bind-concurrency'),
  initialBackoffMs: num('initial-backoff-ms'),
  maxBackoffMs: num('max-backoff-ms'),
  percentageOfNodesToScore: num('percentage-of-nodes-to-score'),
  log: (line) => logger.info(`scheduler: ${line}`),
  debug: (line) => logger.debug(`scheduler: ${line}`),
});
logger.info({ server: args.server }, `scheduler: against ${args.server}`);
const port = metricsPort(args.flags['metrics-port']);
const metricsServer = port === undefined ? undefined : await startMetricsServer(metrics.registry, port);
if (metricsServer) logger.info({ metrics: metricsServer.url }, `scheduler: metrics at ${metricsServer.url}`);

// A line now and then while pods are being bound.
let reported = 0;
const report = setInterval(() => {
  if (scheduler.stats.bound === reported) return;
  reported = scheduler.stats.bound;
  const q = scheduler.queue.counts();
  logger.info({ bound: reported, ...q }, `scheduler: ${reported} pods bound, ${q.active} waiting, ${q.unschedulable} unschedulable, ${q.backoff} backing off`);
}, 5000);
report.unref();

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void scheduler
      .stop()
      .then(() => Promise.all([client.close(), metricsServer?.close()]))
      .finally(() => process.exit(0));
  });
