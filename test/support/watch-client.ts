/** A real graphql-ws client for tests: subscribe to a watch and collect what arrives. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { tokenFor } from './tokens.js';

export interface Received {
  type: string;
  revision: number;
  name?: string;
  labels?: Record<string, string>;
}

export interface Collected {
  events: Received[];
  errors: Array<{ message: string; extensions?: Record<string, any> }>;
  completed: boolean;
  stop(): void;
  /** Resolves when `predicate` holds over the events (or rejects after `ms`). */
  until(predicate: (events: Received[]) => boolean, ms?: number): Promise<void>;
}

export function wsClient(httpUrl: string, options: { retryAttempts?: number; lazy?: boolean } = {}): Client {
  const token = tokenFor(httpUrl);
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: options.retryAttempts ?? 0,
    lazy: options.lazy ?? true,
  });
}

export const WATCH = `subscription($kind: Kind!, $ns: String, $ls: String, $fs: String, $from: Revision) {
  watch(kind: $kind, namespace: $ns, labelSelector: $ls, fieldSelector: $fs, fromRevision: $from) {
    type revision object { ... on Pod { metadata { name labels } } ... on Service { metadata { name labels } } ... on Node { metadata { name labels } } ... on Namespace { metadata { name labels } } }
  }
}`;

export function collect(client: Client, variables: Record<string, unknown>, query = WATCH): Collected {
  const out: Collected = {
    events: [],
    errors: [],
    completed: false,
    stop: () => {},
    until(predicate, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const check = () => {
          if (predicate(out.events)) return resolve();
          if (out.errors.length) return reject(new Error(`watch failed: ${JSON.stringify(out.errors)}`));
          if (Date.now() - started > ms) return reject(new Error(`timed out with ${out.events.length} events: ${JSON.stringify(out.events.slice(-3))}`));
          setTimeout(check, 10);
        };
        check();
      });
    },
  };
  out.stop = client.subscribe<any>(
    { query, variables },
    {
      next: (msg) => {
        const w = msg.data?.watch;
        if (msg.errors) out.errors.push(...(msg.errors as any));
        if (w) out.events.push({ type: w.type, revision: w.revision, name: w.object?.metadata?.name, labels: w.object?.metadata?.labels ?? undefined });
      },
      error: (e: any) => out.errors.push(...(Array.isArray(e) ? e : [{ message: String(e?.message ?? e), extensions: e?.extensions }])),
      complete: () => (out.completed = true),
    },
  );
  return out;
}
