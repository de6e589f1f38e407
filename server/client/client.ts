/**
 * The typed client every component uses (controllers, scheduler, agents, CLI): GraphQL over HTTP
 * for queries and mutations, graphql-ws for subscriptions, configured by server URL and token.
 * Subscriptions come out as RxJS Observables; a dropped socket errors the Observable (code
 * UNAVAILABLE) and the caller resumes from where it was, so nothing is replayed twice.
 */
import { createClient, type Client as WsClient } from 'graphql-ws';
import { Observable } from 'rxjs';
import WebSocket from 'ws';
import { ClientError, UNAVAILABLE } from './client-error.js';

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
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let ws: WsClient | undefined;

  const socket = () =>
    (ws ??= createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: options.token ? { authorization: `Bearer ${options.token}` } : {},
      lazy: true,
      // Resuming is the caller's business (from its last revision), never a blind re-subscribe.
      retryAttempts: 0,
      keepAlive: 10_000,
    }));

  return {
    url,
    async request(query, variables) {
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      } catch (e) {
        throw new ClientError([{ message: `cannot reach ${url}: ${(e as Error).message}` }], UNAVAILABLE);
      }
      let body: { data?: any; errors?: any[] };
      try {
        body = (await res.json()) as typeof body;
      } catch {
        throw new ClientError([{ message: `${url} answered HTTP ${res.status} without a GraphQL body` }], UNAVAILABLE);
      }
      if (body.errors?.length) throw new ClientError(body.errors);
      return body.data;
    },
    subscribe(query, variables) {
      return new Observable((subscriber) =>
        socket().subscribe(
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
        ),
      );
    },
    async close() {
      await ws?.dispose();
      ws = undefined;
    },
  };
}
