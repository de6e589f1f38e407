/**
 * Keep-alive HTTP connections a client's requests go out on. An HTTP/1.1 connection is not bound to
 * an identity (each request carries its own bearer token), so many clients of one process (the node
 * agents, a client per node) can share one pool: the process then holds at most `maxSockets`
 * connections to a server however many clients it runs, and a request past that waits in the pool
 * for a free connection instead of opening one more. Without a bound, a slow server makes every
 * waiting request a new connection, each closed again once idle past the server's keep-alive
 * timeout, and the next slow moment opens them all again: a storm of connects that fills the
 * server's accept queue (the kernel then drops SYNs, and a dropped connect waits out TCP's
 * retransmissions) on top of the load that made it slow.
 *
 * A process may keep several pools so that one class of requests never waits behind another (the
 * agents' Lease renewals apart from their pods' status writes, as Kubernetes' priority levels keep
 * heartbeats apart from workload on the server).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';

export interface ConnectionPoolOptions {
  /** Connections to one server at once, busy and idle (default: no bound). */
  maxSockets?: number;
}

export interface ConnectionPool {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
  /** The bound on connections per server (Infinity: none). */
  readonly maxSockets: number;
  /** Connections opened so far (a request that reused one does not count). */
  readonly opened: number;
  /** Notes the connection a request went out on (postJson calls it), counting each connection once. */
  noteSocket(socket: object): void;
  /** Connections open now, busy or idle, over every server. */
  open(): number;
  /** Requests waiting for a connection now. */
  waiting(): number;
  /** Closes every connection (requests in flight fail). */
  destroy(): void;
}

const count = (table: NodeJS.ReadOnlyDict<unknown[]>) => Object.values(table).reduce((n, list) => n + (list?.length ?? 0), 0);

export function createConnectionPool(options: ConnectionPoolOptions = {}): ConnectionPool {
  const maxSockets = options.maxSockets ?? Infinity;
  if (!(maxSockets >= 1)) throw new Error(`a connection pool needs at least 1 connection, not ${options.maxSockets}`);
  const settings = {
    keepAlive: true,
    maxSockets,
    // Every connection a burst opened is kept for the next one (Node's default keeps 256 idle and
    // closes the rest, to be opened again by the next burst).
    maxFreeSockets: Number.MAX_SAFE_INTEGER,
    // Round the connections in turn, so that under a steady rate each stays in use and none idles
    // out on the server's keep-alive timeout only to be opened again at the next burst.
    scheduling: 'fifo' as const,
  };
  const http = new HttpAgent(settings);
  const https = new HttpsAgent(settings);
  let opened = 0;
  // A request that waited for a connection gets one without being marked `reusedSocket`: count connections, not requests.
  const seen = new WeakSet<object>();
  return {
    http,
    https,
    maxSockets,
    get opened() {
      return opened;
    },
    noteSocket(socket) {
      if (seen.has(socket)) return;
      seen.add(socket);
      opened++;
    },
    open: () => count(http.sockets) + count(http.freeSockets) + count(https.sockets) + count(https.freeSockets),
    waiting: () => count(http.requests) + count(https.requests),
    destroy() {
      http.destroy();
      https.destroy();
    },
  };
}

/** The pool of clients given none: one per process, without a bound on its connections. */
export const processConnectionPool = createConnectionPool();
