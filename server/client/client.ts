/**
 * The typed client every component uses (controllers, scheduler, agents, CLI): GraphQL over HTTP
 * for queries and mutations, graphql-ws for subscriptions, configured by server URL and token.
 * Subscriptions come out as RxJS Observables; a dropped socket errors the Observable (code
 * UNAVAILABLE) and the caller resumes from where it was, so nothing is replayed twice.
 *
 * Several servers sharing one log (DESIGN §8) may be given: the client uses one at a time and moves
 * to the next when it fails (refused, reset, 503, a socket closed abnormally, UNAVAILABLE: it could
 * not reach the log). A request is retried on the next server when it cannot have run (refused,
 * 503) or is idempotent (a read, or writes that carry requestIds: the server answers a seen
 * requestId with the first result), through rounds of every server with backoff for `retryWindowMs`. A subscription is not retried here: its caller
 * resumes it from its last revision, and the next subscription goes to the server now in use.
 */
import { createRequire } from 'node:module';
import type { Client as WsClient } from 'graphql-ws';
import type { Observable } from 'rxjs';
import { ClientError, UNAVAILABLE } from './client-error.js';
import type { ConnectGate } from './connect-gate.js';
import type { ConnectionPool } from './connection-pool.js';
import { postJson, type JsonAnswer } from './post-json.js';
import { graphqlUrl, serverList } from './server-urls.js';
import { ServerRotation, roundBackoffMs } from './server-rotation.js';
import { isMutationDocument, isUnavailableStatus, socketEndCallsForFailover, statusMeansNotRun, wasNotSent } from './transport-failure.js';

export { graphqlUrl } from './server-urls.js';

// A command that only reads (`kq get pods`) should not pay for loading the WebSocket and RxJS
// libraries: they load on the first subscription. On Node, `rxjs` resolves to its CommonJS build
// for `import` and `require` alike, so this is the same module every other import sees.
const require = createRequire(import.meta.url);
const rxjs = (): typeof import('rxjs') => require('rxjs');

/** `source` with each value mapped, without loading RxJS before the first subscription is made. */
export function mapStream<T, R>(source: Observable<T>, project: (value: T) => R): Observable<R> {
  return source.pipe(rxjs().map(project));
}

/**
 * A graphql-ws client whose socket is given up (terminated: its subscriptions end with code 4499,
 * and the client fails over) when the server stops answering: no opening handshake, no
 * connection_ack, or no pong to a keep-alive ping within `keepAliveMs`. A server that accepts and
 * never answers would otherwise hold a watch forever, silent. With a gate, the socket waits for a
 * place before it connects and holds it until the server acknowledged (or the socket ended).
 */
async function openSocket(url: string, token: string | undefined, keepAliveMs: number, options: Pick<ClientOptions, 'connectGate' | 'idleSocketMs'>): Promise<WsClient> {
  const gate = options.connectGate;
  const [{ createClient }, { default: WebSocket }] = await Promise.all([import('graphql-ws'), import('ws')]);
  class TimedWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { handshakeTimeout: keepAliveMs });
    }
  }
  const wsUrl = url.replace(/^http/, 'ws');
  let release = () => {};
  let raw: InstanceType<typeof WebSocket> | undefined;
  let silence: NodeJS.Timeout | undefined;
  const giveUp = () => {
    client.terminate();
    // The close handshake would wait for the silent server too.
    raw?.terminate();
  };
  const expectAnswer = () => {
    clearTimeout(silence);
    silence = setTimeout(giveUp, keepAliveMs);
  };
  const client: WsClient = createClient({
    url: gate
      ? async () => {
          release = await gate.acquire();
          return wsUrl;
        }
      : wsUrl,
    webSocketImpl: TimedWebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    lazy: true,
    // Resuming is the caller's business (from its last revision), never a blind re-subscribe.
    retryAttempts: 0,
    keepAlive: keepAliveMs,
    lazyCloseTimeout: options.idleSocketMs ?? 0,
    on: {
      opened: (socket) => {
        raw = socket as InstanceType<typeof WebSocket>;
        expectAnswer(); // connection_ack
      },
      connected: () => {
        clearTimeout(silence);
        release();
      },
      ping: (received) => void (received || expectAnswer()),
      pong: (received) => void (received && clearTimeout(silence)),
      closed: () => {
        clearTimeout(silence);
        raw = undefined;
        release();
      },
      error: () => release(),
    },
  });
  return client;
}

export interface ClientOptions {
  /**
   * Base URL (`http://127.0.0.1:8080`; `/graphql` is added when missing), or several servers of one
   * log, as a list or one string with commas, in the order to try them.
   */
  server: string | readonly string[];
  token?: string;
  /**
   * With several servers: how long a request keeps going round them (with backoff) before it fails
   * UNAVAILABLE, so that a client rides out a server's death and a replacement's start. Default
   * 15 s with several servers; with one, 0 (one attempt: a command says at once that nothing answers).
   */
  retryWindowMs?: number;
  /**
   * How long a request may wait for its answer before it is abandoned (and, when it may run twice,
   * retried on the next server): a server that accepts and never answers. Counted from the moment
   * the request has a connection: time spent waiting for one in a bounded pool does not count.
   * Default 60 s, or KUBEQL_REQUEST_TIMEOUT_MS; 0 waits forever.
   */
  requestTimeoutMs?: number;
  /**
   * Subscriptions: the keep-alive ping interval, and how long the server may leave the opening
   * handshake, connection_ack or a ping unanswered before the socket is given up (default 10 s).
   * A process with thousands of sockets (the node agents) pings rarely: the server pings every
   * socket itself, and each client ping costs it a message read and a pong written.
   */
  keepAliveMs?: number;
  /**
   * The connections requests go out on (connection-pool.ts): clients of one process may share a
   * bounded pool. Default: the process's pool, without a bound.
   */
  pool?: ConnectionPool;
  /** Subscription sockets of clients sharing this gate open a few at a time (connect-gate.ts). Default: no gate. */
  connectGate?: ConnectGate;
  /**
   * How long a subscription socket with no subscription left stays open (default 0: it closes at
   * once), so that a watch its caller resumes a moment later needs no new connection. A long-lived
   * process sets it; a command that ends when its subscription does must not wait for it.
   */
  idleSocketMs?: number;
}

export interface RequestOptions {
  /**
   * The request may run twice without harm (its writes carry requestIds), so it is retried on the
   * next server even when a broken connection leaves its outcome unknown. Default: true for
   * queries, false for documents with a mutation.
   */
  idempotent?: boolean;
}

export interface KubeqlClient {
  /** The GraphQL URL in use now (it changes when the client fails over). */
  readonly url: string;
  /** Every server's GraphQL URL, in order. */
  readonly servers: readonly string[];
  request<T = any>(query: string, variables?: Record<string, unknown>, options?: RequestOptions): Promise<T>;
  /**
   * A request to the Kubernetes REST API of the server in use (`path` from its root, `/apis/...`),
   * as kubelet sends its heartbeats: the answer's JSON. An error answer (a Status) is a ClientError
   * with the code its reason stands for (Conflict: CONFLICT, NotFound: NOT_FOUND, ...). It fails
   * over as `request` does; a request whose outcome is unknown is retried only if it may run twice
   * (a GET, or `idempotent`). A PATCH's body is a JSON merge patch.
   */
  rest<T = any>(method: RestMethod, path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  subscribe<T = any>(query: string, variables?: Record<string, unknown>): Observable<T>;
  close(): Promise<void>;
}

export type RestMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Our error codes of the Status reasons the REST API answers (server/api/rest/status.ts maps them the other way). */
const CODE_OF_REASON = new Map<unknown, string>([
  ['BadRequest', 'BAD_USER_INPUT'],
  ['Invalid', 'BAD_USER_INPUT'],
  ['NotFound', 'NOT_FOUND'],
  ['AlreadyExists', 'ALREADY_EXISTS'],
  ['Conflict', 'CONFLICT'],
  ['Expired', 'EXPIRED'],
  ['Gone', 'EXPIRED'],
  ['Unauthorized', 'UNAUTHENTICATED'],
  ['Forbidden', 'FORBIDDEN'],
  ['RequestEntityTooLarge', 'PAYLOAD_TOO_LARGE'],
  ['TooManyRequests', 'RATE_LIMITED'],
  ['ServiceUnavailable', UNAVAILABLE],
]);

/** One attempt's outcome: the answer, or why to try another server and whether the request ran. */
type Attempt = { data: any } | { failed: ClientError; reason: string; ran: 'no' | 'maybe' | 'answered' };

/** Generous: a request answers in milliseconds; the longest (a large apply, a replay) in seconds. */
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A client's request timeout: KUBEQL_REQUEST_TIMEOUT_MS when set (a positive number), else `defaultMs`. */
export const requestTimeoutFromEnv = (defaultMs: number): number => Number(process.env.KUBEQL_REQUEST_TIMEOUT_MS) || defaultMs;

export function createKubeqlClient(options: ClientOptions): KubeqlClient {
  const servers = serverList(options.server).map(graphqlUrl);
  const endpoints = servers.map((s) => new URL(s));
  const rotation = new ServerRotation(servers);
  const retryWindowMs = options.retryWindowMs ?? (servers.length > 1 ? 15_000 : 0);
  const requestTimeoutMs = options.requestTimeoutMs ?? requestTimeoutFromEnv(DEFAULT_REQUEST_TIMEOUT_MS);
  const keepAliveMs = options.keepAliveMs ?? 10_000;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  // One lazy socket per server, opened by its first subscription and reused while it works.
  const sockets = new Map<number, Promise<WsClient>>();
  const socket = (index: number) => {
    let ws = sockets.get(index);
    if (!ws) sockets.set(index, (ws = openSocket(servers[index], options.token, keepAliveMs, options)));
    return ws;
  };
  const cannotReach = (index: number, reason: string) =>
    servers.length === 1 ? `cannot reach ${servers[index]}: ${reason}` : `cannot reach any of ${servers.join(', ')} (last, ${servers[index]}: ${reason})`;

  /** Sends one request to server `index`; a transport failure is an outcome (UNAVAILABLE, and whether it may have run). */
  async function send(index: number, url: URL, body: string, method = 'POST', sendHeaders = headers): Promise<JsonAnswer | Attempt> {
    try {
      return await postJson(url, sendHeaders, body, requestTimeoutMs, options.pool, method);
    } catch (e) {
      const reason = (e as Error).message;
      return { failed: new ClientError([{ message: cannotReach(index, reason) }], UNAVAILABLE), reason, ran: wasNotSent(e) ? 'no' : 'maybe' };
    }
  }

  /** One REST request on server `index`: its JSON answer, or its Status as a coded ClientError. */
  async function restAttempt(index: number, method: RestMethod, path: string, body: string): Promise<Attempt> {
    const contentType = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
    const res = await send(index, new URL(path, endpoints[index]), body, method, { ...headers, 'content-type': contentType });
    if (!('status' in res)) return res;
    let answer: { kind?: unknown; reason?: unknown; message?: unknown } | undefined;
    try {
      answer = res.text === '' ? undefined : (JSON.parse(res.text) as typeof answer);
    } catch {
      answer = undefined;
    }
    if (res.status >= 200 && res.status < 300 && answer !== null && typeof answer === 'object' && !Array.isArray(answer)) return { data: answer };
    // Whatever the answer holds, only a known reason gives a code, and only a string is a message.
    const status = answer?.kind === 'Status' ? answer : undefined;
    const code = CODE_OF_REASON.get(status?.reason) ?? (isUnavailableStatus(res.status) ? UNAVAILABLE : 'INTERNAL_SERVER_ERROR');
    const message = typeof status?.message === 'string' && status.message ? status.message.slice(0, 2000) : `${servers[index]} answered HTTP ${res.status} to ${method} ${path}`;
    const failed = new ClientError([{ message, extensions: { code, status: res.status } }]);
    // As for GraphQL: a server that could not reach its log (its own Status says so), is not ready
    // (503 without one) or is behind a proxy that failed (502, 504) may be followed by another.
    if (code === UNAVAILABLE) return { failed, reason: `HTTP ${res.status}`, ran: status ? 'answered' : statusMeansNotRun(res.status) ? 'no' : 'maybe' };
    throw failed;
  }

  /** One attempt on server `index`: the parsed answer, or why to try another server. */
  async function attempt(index: number, body: string): Promise<Attempt> {
    const res = await send(index, endpoints[index], body);
    if (!('status' in res)) return res;
    let answer: { data?: any; errors?: any[] };
    try {
      answer = JSON.parse(res.text) as typeof answer;
    } catch {
      const failed = new ClientError([{ message: `${servers[index]} answered HTTP ${res.status} without a GraphQL body` }], UNAVAILABLE);
      if (isUnavailableStatus(res.status)) return { failed, reason: `HTTP ${res.status}`, ran: statusMeansNotRun(res.status) ? 'no' : 'maybe' };
      throw failed;
    }
    if (answer.errors?.length) {
      const failed = new ClientError(answer.errors);
      // The server could not reach its log (its database down or locked): another server, or this
      // one a moment later, may. Only a request that may run twice is retried: a document's earlier
      // mutations may have been written even when this one's was not.
      if (answer.data == null && answer.errors.every((e) => e.extensions?.code === UNAVAILABLE)) return { failed, reason: failed.message, ran: 'answered' };
      throw failed;
    }
    return { data: answer.data };
  }

  /** Tries the servers in turn, round after round with backoff, until one answers or the retry window ends. */
  async function withFailover(idempotent: boolean, what: string, attemptOn: (index: number) => Promise<Attempt>): Promise<any> {
    const deadline = Date.now() + retryWindowMs;
    for (let round = 0; ; round++) {
      let failed: ClientError | undefined;
      for (let tried = 0; tried < servers.length; tried++) {
        const index = rotation.current;
        const outcome = await attemptOn(index);
        if ('data' in outcome) return outcome.data;
        rotation.failed(index);
        failed = outcome.failed;
        // The server's own answer, as it gave it (it says whether anything was written).
        if (outcome.ran === 'answered' && !idempotent) throw failed;
        if (outcome.ran === 'maybe' && !idempotent)
          throw new ClientError([{ message: `lost the answer of ${servers[index]} (${outcome.reason}): ${what} may or may not have run, and without requestIds it is not retried` }], UNAVAILABLE);
      }
      const pause = roundBackoffMs(round);
      if (Date.now() + pause > deadline) throw failed!;
      await sleep(pause);
    }
  }

  return {
    get url() {
      return rotation.url;
    },
    servers,
    request(query, variables, requestOptions = {}) {
      const body = JSON.stringify({ query, variables });
      return withFailover(requestOptions.idempotent ?? !isMutationDocument(query), 'the mutation', (index) => attempt(index, body));
    },
    rest(method, path, body, requestOptions = {}) {
      const text = body === undefined ? '' : JSON.stringify(body);
      return withFailover(requestOptions.idempotent ?? method === 'GET', `the ${method}`, (index) => restAttempt(index, method, path, text));
    },
    subscribe(query, variables) {
      return new (rxjs().Observable)((subscriber) => {
        let unsubscribe: (() => void) | undefined;
        let closed = false;
        const index = rotation.current;
        const ended = (e: unknown, message: string) => {
          // The socket to this server is gone: the next subscription goes to the next server.
          if (socketEndCallsForFailover(e)) rotation.failed(index);
          subscriber.error(new ClientError([{ message }], UNAVAILABLE));
        };
        socket(index).then(
          (client) => {
            if (closed) return;
            unsubscribe = client.subscribe(
              { query, variables },
              {
                next: (msg) => {
                  if (msg.errors?.length) subscriber.error(new ClientError(msg.errors as any));
                  else subscriber.next(msg.data as any);
                },
                error: (e: unknown) => {
                  if (Array.isArray(e)) subscriber.error(new ClientError(e));
                  else ended(e, `subscription socket to ${servers[index]} closed: ${(e as { reason?: string; message?: string })?.reason || (e as Error)?.message || String((e as { code?: unknown })?.code ?? e)}`);
                },
                complete: () => subscriber.complete(),
              },
            );
          },
          (e: unknown) => ended(e, `cannot open a subscription socket to ${servers[index]}: ${(e as Error).message}`),
        );
        return () => {
          closed = true;
          unsubscribe?.();
        };
      });
    },
    async close() {
      const open = [...sockets.values()];
      sockets.clear();
      await Promise.all(open.map(async (ws) => (await ws.catch(() => undefined))?.dispose()));
    },
  };
}
