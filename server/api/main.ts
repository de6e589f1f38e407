/** `npm run apiserver`: the API server on PORT (8080) with its data in DATA_DIR (./data). */
// First: libraries read NODE_ENV as they load.
import './production-mode.js';
import { createLogger } from '../logging/logger.js';
import { DEFAULT_RETENTION, type RetentionOptions } from '../store/retention.js';
import { startApiServer } from './server.js';
import { startFailureMessage } from './start-failure.js';
import { writeKubeconfig } from '../components/kubeconfig.js';

const log = createLogger('api');
/** A shutdown that takes longer than this exits 1 anyway. */
const SHUTDOWN_DEADLINE_MS = 9000;

const sync = (process.env.KUBEQL_SYNC ?? 'DURABLE').toUpperCase();
if (sync !== 'FULL' && sync !== 'DURABLE' && sync !== 'NORMAL') {
  log.fatal(`KUBEQL_SYNC must be FULL, DURABLE or NORMAL, not ${sync}`);
  process.exit(1);
}

// Kubernetes' --service-node-port-range and --event-ttl.
const nodePortRange = process.env.KUBEQL_NODE_PORT_RANGE;
if (nodePortRange !== undefined && !/^\d{1,5}-\d{1,5}$/.test(nodePortRange)) {
  log.fatal(`KUBEQL_NODE_PORT_RANGE must be LOW-HIGH (30000-32767), not ${nodePortRange}`);
  process.exit(1);
}
const eventTtl = process.env.KUBEQL_EVENT_TTL_SECONDS;
if (eventTtl !== undefined && !/^[1-9]\d{0,8}$/.test(eventTtl)) {
  log.fatal(`KUBEQL_EVENT_TTL_SECONDS must be a whole number of seconds, not ${eventTtl}`);
  process.exit(1);
}
const checkpointCommits = process.env.KUBEQL_CHECKPOINT_COMMITS;
if (checkpointCommits !== undefined && !/^[1-9]\d{0,8}$/.test(checkpointCommits)) {
  log.fatal(`KUBEQL_CHECKPOINT_COMMITS must be a whole number of commits, at least 1, not ${checkpointCommits}`);
  process.exit(1);
}
// Each identity's request rate (its burst twice that): the default suits a cluster; a benchmark
// driving one server from one identity at full speed lifts it.
const requestsPerSecond = process.env.KUBEQL_REQUESTS_PER_SECOND;
if (requestsPerSecond !== undefined && !/^[1-9]\d{0,8}$/.test(requestsPerSecond)) {
  log.fatal(`KUBEQL_REQUESTS_PER_SECOND must be a whole number of requests per second, at least 1, not ${requestsPerSecond}`);
  process.exit(1);
}
const maxTokenSeconds = process.env.KUBEQL_MAX_TOKEN_EXPIRATION_SECONDS;
if (maxTokenSeconds !== undefined && !(Number.isSafeInteger(Number(maxTokenSeconds)) && Number(maxTokenSeconds) >= 600)) {
  log.fatal(`KUBEQL_MAX_TOKEN_EXPIRATION_SECONDS must be a whole number of seconds, at least 600, not ${maxTokenSeconds}`);
  process.exit(1);
}

/** Retention (README: Disk): history for 24 h (KUBEQL_RETENTION_HOURS), superseded Leases and Events for 5 min (KUBEQL_LEASE_RETENTION_SECONDS); 0 hours keeps everything. */
function retentionFromEnv(): RetentionOptions | undefined {
  const hours = process.env.KUBEQL_RETENTION_HOURS;
  const leaseSeconds = process.env.KUBEQL_LEASE_RETENTION_SECONDS;
  for (const [name, v] of [['KUBEQL_RETENTION_HOURS', hours], ['KUBEQL_LEASE_RETENTION_SECONDS', leaseSeconds]] as const)
    if (v !== undefined && !(Number.isFinite(Number(v)) && Number(v) >= 0)) {
      log.fatal(`${name} must be a non-negative number, not ${v}`);
      process.exit(1);
    }
  if (hours !== undefined && Number(hours) === 0) return undefined;
  const kindAge = leaseSeconds === undefined ? undefined : Number(leaseSeconds) * 1000;
  return {
    ...DEFAULT_RETENTION,
    maxAgeMs: hours === undefined ? DEFAULT_RETENTION.maxAgeMs : Number(hours) * 3600_000,
    kinds: kindAge === undefined ? DEFAULT_RETENTION.kinds : { Lease: kindAge, Event: kindAge },
  };
}

const dataDir = process.env.DATA_DIR ?? './data';
const listenOn = { host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 8080) };
let server: Awaited<ReturnType<typeof startApiServer>>;
try {
  server = await startApiServer({
    retention: retentionFromEnv(),
    maxTokenExpirationSeconds: maxTokenSeconds === undefined ? undefined : Number(maxTokenSeconds),
    dataDir,
    databaseUrl: process.env.KUBEQL_DATABASE_URL || undefined,
    port: listenOn.port,
    host: listenOn.host,
    synchronous: sync,
    checkpointCommits: checkpointCommits === undefined ? undefined : Number(checkpointCommits),
    ranges: nodePortRange ? { serviceNodePortRange: nodePortRange } : undefined,
    events: eventTtl ? { ttlMs: Number(eventTtl) * 1000 } : undefined,
    limits: requestsPerSecond ? { requestsPerSecond: Number(requestsPerSecond), burst: 2 * Number(requestsPerSecond) } : undefined,
  });
} catch (error) {
  // A damaged or lost database, a port in use, an unreadable data directory: said plainly, exit 1.
  const message = startFailureMessage(error, listenOn);
  log.fatal({ err: error }, message);
  process.stderr.write(`kubeql apiserver: ${message}\n`);
  process.exit(1);
}
// kubectl's config for this server (the Kubernetes REST API over TLS on the same port), in the data directory.
const kubeconfig = writeKubeconfig(dataDir, { server: server.kubernetesUrl, caCert: server.caCert, token: server.adminToken });
log.info(
  { url: server.url, kubernetesUrl: server.kubernetesUrl, kubeconfig, dataDir, head: server.store.head(), synchronous: sync },
  `Kubeql API server listening on ${server.url} (GraphiQL: open it in a browser), Kubernetes API at ${server.kubernetesUrl} (export KUBECONFIG=${kubeconfig}); data in ${dataDir}, head revision ${server.store.head()}`,
);
// Started by `npm start`: tell the parent where it listens (it then waits on /readyz); the log level does not matter.
process.send?.({ type: 'listening', url: server.url });

// Graceful shutdown: stop accepting, finish the requests in flight, end subscriptions (1001),
// checkpoint the WAL, exit 0. A second signal, or a shutdown past the deadline, exits 1 at once.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without finishing the shutdown');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down: finishing requests in flight');
    const started = Date.now();
    setTimeout(() => {
      log.error(`shutdown did not finish within ${SHUTDOWN_DEADLINE_MS} ms`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    server.close().then(
      () => {
        log.info({ ms: Date.now() - started, head: server.store.head() }, 'stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
