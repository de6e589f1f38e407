/**
 * The API server: graphql-yoga over node:http on one endpoint (/graphql, GraphiQL in a browser),
 * the only component that opens the database.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga } from 'graphql-yoga';
import { createLogger } from '../logging/logger.js';
import { kinds } from '../resources/registry.js';
import { openStore } from '../store/open-store.js';
import { registryAllocations } from '../store/registry-allocations.js';
import { startRetention, type RetentionOptions } from '../store/retention.js';
import type { Store, SyncMode } from '../store/types.js';
import { createAuthorizer } from './auth/authorizer.js';
import { admissionFor } from './auth/admission.js';
import { createGuard } from './auth/guard.js';
import { createAuthenticator } from './auth/authenticator.js';
import { identityClass, type Identity } from './auth/identity.js';
import { unauthenticated } from './auth/unauthenticated.js';
import { createRateLimiter } from './auth/rate-limit.js';
import { DEFAULT_LIMITS, limitPlugins, type Limits } from './plugins/limits.js';
import { bootstrap } from './bootstrap.js';
import { parsePortRange } from '../resources/allocation/node-ports.js';
import { startEventExpiry, type EventExpiryOptions } from './event-expiry.js';
import type { ApiContext } from './context.js';
import { adminRoutes } from './http/admin-routes.js';
import { restRoutes } from './rest/router.js';
import { refuseRestUpgrades } from './rest/upgrade.js';
import { dashboardRoutes } from './http/dashboard-routes.js';
import { renderOfflineGraphiQL } from './http/graphiql-page.js';
import { gracefulCloser } from './http/close-gracefully.js';
import { plainAndTls } from './http/plain-and-tls.js';
import { ensureServingCert } from './http/serving-cert.js';
import { withFastJsonPost } from './http/fast-json-post.js';
import { admittedIdentity, createPriorityLevels, priorityOf, type PriorityLevelLimits, type PriorityLevelName } from './http/priority-levels.js';
import { opsRoutes } from './http/ops-routes.js';
import { unknownPathRoutes } from './http/unknown-path.js';
import { createApiMetrics } from './metrics/api-metrics.js';
import { maskError, quietLogger } from './plugins/mask-errors.js';
import { requestLogPlugin } from './plugins/request-log.js';
import { requestMetricsPlugin } from './plugins/request-metrics.js';
import { referenceExecutePlugin } from './plugins/reference-execute.js';
import { warningsPlugin } from './plugins/warnings.js';
import { buildSchema } from './schema/build-schema.js';
import { schemaModules } from './schema/modules/all.js';
import { DEFAULT_MAX_TOKEN_EXPIRATION_SECONDS } from './schema/modules/tokens.js';
import { DEFAULT_RANGES, type AllocationRanges } from './verbs/verb-context.js';
import { createWatchEngine, type WatchEngineOptions } from './watch/watch-engine.js';
import { attachGraphQLWebSocket } from './ws/graphql-ws-server.js';

export interface ApiServerOptions {
  dataDir: string;
  /** postgres://… keeps the log in PostgreSQL, shared with other API servers (KUBEQL_DATABASE_URL); default: SQLite in dataDir. */
  databaseUrl?: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  synchronous?: SyncMode;
  /** SQLite: commits between WAL checkpoints, which run off the commit path (KUBEQL_CHECKPOINT_COMMITS; default 64). */
  checkpointCommits?: number;
  ranges?: Partial<AllocationRanges>;
  /** store.statementCount() counts every SQL statement SQLite runs (for tests; costs on the hot path). */
  countStatements?: boolean;
  /** Watch engine settings: bookmark interval, slow-consumer bound, window size. */
  watch?: WatchEngineOptions;
  /** Events' time to live and how often expired ones are deleted (default 1 hour, checked every minute). */
  events?: EventExpiryOptions;
  /** Compaction: keep this much history (default: keep everything). */
  retention?: RetentionOptions;
  /** Request limits (DESIGN §7 Limits); defaults in plugins/limits.ts. */
  limits?: Partial<Limits>;
  /** Bytes one WebSocket connection may have buffered before a subscription pushing more is ended with SLOW_CONSUMER (default 16 MiB). */
  connectionBufferBytes?: number;
  /** WebSocket keep-alive ping interval (default 12 s). */
  keepAliveMs?: number;
  /** close(): how long requests in flight may take to finish before their connections are cut (default 5 s). */
  shutdownGraceMs?: number;
  /** The longest lifetime of an issued token, and the default one (48 h, as a bound ServiceAccount token). */
  maxTokenExpirationSeconds?: number;
  /** Seats and queues of the priority levels (priority-levels.ts). */
  priorityLevels?: Partial<Record<PriorityLevelName, Partial<PriorityLevelLimits>>>;
}

/** Each node's heartbeat budget (Lease renewals and Node status writes), apart from its other requests. */
const HEARTBEAT_RATE = { perSecond: 5, burst: 10 };
/** Pending connections the listener asks the kernel to hold (capped by net.core.somaxconn). */
const LISTEN_BACKLOG = 65_535;

export interface ApiServer {
  /** http://host:port/graphql */
  url: string;
  port: number;
  store: Store;
  /** The Kubernetes REST API over TLS on the same port (https://host:port), for kubectl. */
  kubernetesUrl: string;
  /** The serving certificate (PEM), the kubeconfig's certificate authority. */
  caCert: string;
  /** The admin token ($DATA_DIR/admin.token). */
  adminToken: string;
  close(): Promise<void>;
}

const log = createLogger('api');

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const ranges = { ...DEFAULT_RANGES, ...options.ranges };
  parsePortRange(ranges.serviceNodePortRange); // a bad range fails the start, not the first NodePort Service
  // Its gauges read the parts below when scraped.
  const metrics = createApiMetrics({ dataDir: options.dataDir, kinds: kinds.map((k) => k.kind), store: () => store, watchersByKind: () => watch.watchersByKind(), webSockets: () => ws });
  const { store, shutdown: closeStore } = await openStore({
    databaseUrl: options.databaseUrl,
    onError: (error) => log.error({ err: error }, 'log replication failed'),
    dataDir: options.dataDir,
    synchronous: options.synchronous,
    checkpointCommits: options.checkpointCommits,
    countStatements: options.countStatements,
    allocationsOf: registryAllocations,
    onBatch: metrics.appendBatch,
  });
  store.onCommit(metrics.eventsCommitted);
  await bootstrap(store, ranges);
  const watch = createWatchEngine(store, { ...options.watch, ...metrics.watchHooks });
  const authorizer = createAuthorizer(store);
  const authenticator = createAuthenticator(store, options.dataDir);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const rateLimiter = createRateLimiter(limits.requestsPerSecond, limits.burst);
  // A node's heartbeats have a budget of their own: a node busy with its pods still renews its Lease.
  const heartbeatLimiter = createRateLimiter(HEARTBEAT_RATE.perSecond, HEARTBEAT_RATE.burst);
  const priorityLevels = createPriorityLevels((h) => authenticator.authenticate(h), options.priorityLevels);
  const tokens = {
    issue: authenticator.issue,
    maxExpirationSeconds: options.maxTokenExpirationSeconds ?? DEFAULT_MAX_TOKEN_EXPIRATION_SECONDS,
  };
  const requestContext = (identity: Identity): ApiContext => {
    const guard = createGuard(authorizer, identity);
    return { store, watch, ranges, actor: identity.name, guard, admission: admissionFor(guard), tokens, warnings: [] };
  };
  const stopRetention = options.retention ? startRetention(store, options.retention) : () => {};
  const stopEventExpiry = startEventExpiry(store, ranges, options.events);

  const yoga = createYoga<{}, ApiContext>({
    schema: buildSchema(kinds, schemaModules),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // GraphiQL with its assets inside the page (no CDN), the token from the dashboard's sign-in.
    graphiql: true,
    renderGraphiQL: renderOfflineGraphiQL,
    // The identity comes from this request's bearer token, or the WebSocket's connection_init
    // (checked again for each operation, so a revoked or expired token starts nothing new).
    context: (initial: { authorization?: string; request?: Request; req?: IncomingMessage }): ApiContext => {
      // Over HTTP the request was authenticated when admitted (priority levels); on WebSocket, per operation.
      const admitted = initial.authorization === undefined ? admittedIdentity(initial.req) : undefined;
      const identity = admitted ? admitted.identity : authenticator.authenticate(initial.authorization ?? initial.request?.headers.get('authorization'));
      if (!identity) throw unauthenticated();
      (priorityOf(initial.req) === 'node-heartbeat' ? heartbeatLimiter : rateLimiter).take(identity.name);
      return requestContext(identity);
    },
    maskedErrors: { maskError },
    // Coded errors are answers, not faults; maskError logs the internal ones.
    logging: quietLogger,
    plugins: [referenceExecutePlugin(), ...limitPlugins(limits), warningsPlugin(), requestMetricsPlugin(metrics, kinds), requestLogPlugin(log, kinds)],
  });

  let closing = false;
  const admin = adminRoutes({ store, authenticate: (h) => authenticator.authenticate(h), allows: authorizer.allows }, unknownPathRoutes(yoga.graphqlEndpoint, withFastJsonPost(yoga, { maxBodyBytes: limits.bodyBytes, schedule: priorityLevels.schedule })));
  const rest = restRoutes(
    {
      store,
      watch,
      // Admitted requests were authenticated then; discovery and watches are not admitted.
      authenticate: (req) => (admittedIdentity(req) ?? { identity: authenticator.authenticate(req.headers.authorization) }).identity,
      rateLimit: (name, req) => (priorityOf(req) === 'node-heartbeat' ? heartbeatLimiter : rateLimiter).take(name),
      context: requestContext,
      bodyBytes: limits.bodyBytes,
      observe: metrics.request,
      schedule: priorityLevels.scheduleRest,
    },
    dashboardRoutes(admin),
  );
  const http: Server = createServer(opsRoutes({ store, registry: metrics.registry, shuttingDown: () => closing }, rest));
  // HTTP and HTTPS on one port: Kubernetes clients (kubectl) send a bearer token only over TLS.
  const servingCert = await ensureServingCert(options.dataDir);
  const listener = plainAndTls(http, servingCert);
  const closeHttp = gracefulCloser(http, listener);
  const ws = attachGraphQLWebSocket(http, yoga, {
    path: '/graphql',
    keepAliveMs: options.keepAliveMs,
    maxSubscriptions: limits.subscriptionsPerConnection,
    maxPayloadBytes: limits.bodyBytes,
    maxConnectionBytes: options.connectionBufferBytes,
    onSlowConsumer: metrics.watchHooks.onSlowConsumer,
    onPingTimeout: (payload, written) => {
      const identity = typeof payload?.authorization === 'string' ? authenticator.authenticate(payload.authorization) : undefined;
      metrics.webSocketHooks.onPingTimeout(identity ? identityClass(identity) : 'unauthenticated', written);
    },
    // On WebSocket the token is connection_init's { "authorization": "Bearer <token>" } (DESIGN §7 Auth).
    onConnect: (payload) => {
      const authorization = typeof payload?.authorization === 'string' ? payload.authorization : undefined;
      return authenticator.authenticate(authorization) ? { authorization } : false;
    },
  });
  // kubectl exec, attach and port-forward upgrade on the REST API's paths: a Status says why they cannot work.
  refuseRestUpgrades(http, (h) => authenticator.authenticate(h));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    // The accept queue as deep as the kernel allows (listen(2) truncates to net.core.somaxconn, as
    // Go's listeners ask for): Node's default of 511 overflows when hundreds of clients connect
    // at once while the event loop is busy, and a dropped connection waits out TCP's SYN
    // retransmissions (1, 3, 7, 15, 31 s) before it is even seen.
    listener.listen({ port: options.port ?? 8080, host, backlog: LISTEN_BACKLOG }, () => resolve());
  });
  const port = (listener.address() as AddressInfo).port;
  // Once listening, a server error (an accept failure) is logged; each connection's own errors end that connection only.
  listener.on('error', (error) => log.error({ err: error }, 'HTTP server error'));
  http.on('error', (error) => log.error({ err: error }, 'HTTP server error'));

  return {
    url: `http://${host}:${port}/graphql`,
    port,
    kubernetesUrl: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    caCert: servingCert.cert,
    store,
    adminToken: authenticator.adminToken,
    async close() {
      // Stop accepting, end subscriptions (close 1001), let requests in flight finish, commit what
      // they queued, then checkpoint the WAL and close the database.
      closing = true;
      stopRetention();
      stopEventExpiry();
      const httpClosed = closeHttp(options.shutdownGraceMs ?? 5000);
      watch.close();
      await ws.close();
      await httpClosed;
      await store.drain();
      await closeStore();
    },
  };
}
