/**
 * The API server: graphql-yoga over node:http on one endpoint (/graphql, GraphiQL in a browser),
 * the only component that opens the database.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createYoga } from 'graphql-yoga';
import { kinds, kindByName } from '../resources/registry.js';
import { createStore } from '../store/create-store.js';
import { startRetention, type RetentionOptions } from '../store/retention.js';
import type { Store } from '../store/types.js';
import { createAuthorizer } from './auth/authorizer.js';
import { createGuard } from './auth/guard.js';
import { ADMIN, type Identity } from './auth/identity.js';
import { bootstrap } from './bootstrap.js';
import type { ApiContext } from './context.js';
import { maskError, quietLogger } from './plugins/mask-errors.js';
import { warningsPlugin } from './plugins/warnings.js';
import { buildSchema } from './schema/build-schema.js';
import { schemaModules } from './schema/modules/all.js';
import { DEFAULT_RANGES, type AllocationRanges } from './verbs/verb-context.js';
import { createWatchEngine, type WatchEngineOptions } from './watch/watch-engine.js';
import { attachGraphQLWebSocket } from './ws/graphql-ws-server.js';

export interface ApiServerOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  synchronous?: 'FULL' | 'NORMAL';
  ranges?: Partial<AllocationRanges>;
  /** store.statementCount() counts every SQL statement SQLite runs (for tests; costs on the hot path). */
  countStatements?: boolean;
  /** Watch engine settings: bookmark interval, slow-consumer bound, window size. */
  watch?: WatchEngineOptions;
  /** Compaction: keep this much history (default: keep everything). */
  retention?: RetentionOptions;
  /** WebSocket keep-alive ping interval (default 12 s). */
  keepAliveMs?: number;
}

export interface ApiServer {
  /** http://host:port/graphql */
  url: string;
  port: number;
  store: Store;
  close(): Promise<void>;
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const ranges = { ...DEFAULT_RANGES, ...options.ranges };
  const store = createStore({
    dataDir: options.dataDir,
    synchronous: options.synchronous,
    countStatements: options.countStatements,
    allocationsOf: (o) => kindByName(o.kind)?.allocations?.(o) ?? [],
  });
  await bootstrap(store, ranges);
  const watch = createWatchEngine(store, options.watch);
  const authorizer = createAuthorizer(store);
  const requestContext = (identity: Identity): ApiContext => ({
    store,
    watch,
    ranges,
    actor: identity.name,
    guard: createGuard(authorizer, identity),
    warnings: [],
  });
  const stopRetention = options.retention ? startRetention(store, options.retention) : () => {};

  const yoga = createYoga<{}, ApiContext>({
    schema: buildSchema(kinds, schemaModules),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    context: (): ApiContext => requestContext(ADMIN),
    maskedErrors: { maskError },
    // Coded errors are answers, not faults; maskError logs the internal ones.
    logging: quietLogger,
    plugins: [warningsPlugin()],
  });

  const http: Server = createServer(yoga);
  const ws = attachGraphQLWebSocket(http, yoga, { path: '/graphql', keepAliveMs: options.keepAliveMs });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 8080, host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;

  return {
    url: `http://${host}:${port}/graphql`,
    port,
    store,
    async close() {
      stopRetention();
      watch.close();
      await ws.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      store.close();
    },
  };
}
