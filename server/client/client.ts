/**
 * The typed client every component uses (controllers, scheduler, agents, CLI): GraphQL over HTTP
 * for queries and mutations, graphql-ws for subscriptions, configured by server URL and token.
 * Subscriptions come out as RxJS Observables; a dropped socket errors the Observable (code
 * UNAVAILABLE) and the caller resumes from where it was, so nothing is replayed twice.
 */
import { createRequire } from 'node:module';
import type { Client as WsClient } from 'graphql-ws';
import type { Observable } from 'rxjs';
import { ClientError, UNAVAILABLE } from './client-error.js';
import { postJson, type JsonAnswer } from './post-json.js';

// A command that only reads (`kq get pods`) should not pay for loading the WebSocket and RxJS
// libraries: they load on the first subscription. On Node, `rxjs` resolves to its CommonJS build
// for `import` and `require` alike, so this is the same module every other import sees.
const require = createRequire(import.meta.url);
const rxjs = (): typeof import('rxjs') => require('rxjs');

/** `source` with each value mapped, without loading RxJS before the first subscription is made. */
export function mapStream<T, R>(source: Observable<T>, project: (value: T) => R): Observable<R> {
  return source.pipe(rxjs().map(project));
}

async function openSocket(url: string, token: string | undefined): Promise<WsClient> {
  const [{ createClient }, { default: WebSocket }] = await Promise.all([import('graphql-ws'), import('ws')]);
  return createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    lazy: true,
    // Resuming is the caller's business (from its last revision), never a blind re-subscribe.
    retryAttempts: 0,
    keepAlive: 10_000,
  });
}

export interface ClientOptions {
  /** Base URL (`http://127.0.0.1:8080`); `/graphql` is added when missing. */
  server: string;
  token?: string;
}

export interface KubeqlClient {
  readonly url: string;
  request<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  subscribe<T = any>(query: string, variables?: Record<string, unknown>): Observable<T>;
  close(): Promise<void>;
}

export function graphqlUrl(server: string): string {
  const trimmed = server.replace(/\/+$/, '');
  return trimmed.endsWith('/graphql') ? trimmed : `${trimmed}/graphql`;
}

export function createKubeqlClient(options: ClientOptions): KubeqlClient {
  const url = graphqlUrl(options.server);
  const endpoint = new URL(url);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let ws: Promise<WsClient> | undefined;
  const socket = () => (ws ??= openSocket(url, options.token));

  return {
    url,
    async request(query, variables) {
      let res: JsonAnswer;
      try {
        res = await postJson(endpoint, headers, JSON.stringify({ query, variables }));
      } catch (e) {
        throw new ClientError([{ message: `cannot reach ${url}: ${(e as Error).message}` }], UNAVAILABLE);
      }
      let body: { data?: any; errors?: any[] };
      try {
        body = JSON.parse(res.text) as typeof body;
      } catch {
        throw new ClientError([{ message: `${url} answered HTTP ${res.status} without a GraphQL body` }], UNAVAILABLE);
      }
      if (body.errors?.length) throw new ClientError(body.errors);
      return body.data;
    },
    subscribe(query, variables) {
      return new (rxjs().Observable)((subscriber) => {
        let unsubscribe: (() => void) | undefined;
        let closed = false;
        socket().then(
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
                  else subscriber.error(new ClientError([{ message: `subscription socket closed: ${(e as { reason?: string; message?: string })?.reason || (e as Error)?.message || String(e)}` }], UNAVAILABLE));
                },
                complete: () => subscriber.complete(),
              },
            );
          },
          (e: unknown) => subscriber.error(new ClientError([{ message: `cannot open a subscription socket: ${(e as Error).message}` }], UNAVAILABLE)),
        );
        return () => {
          closed = true;
          unsubscribe?.();
        };
      });
    },
    async close() {
      const open = ws;
      ws = undefined;
      await (await open?.catch(() => undefined))?.dispose();
    },
  };
}
