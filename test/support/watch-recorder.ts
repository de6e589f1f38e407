/** Records whole watch streams (type, revision, the object's manifest) through a real graphql-ws client whose sockets the test can reach. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { tokenFor } from './tokens.js';
import type { StreamEvent } from './watch-log.js';

export const WATCH_MANIFEST = `subscription($kind: Kind!, $ns: String, $ls: String, $fs: String, $from: Revision) {
  watch(kind: $kind, namespace: $ns, labelSelector: $ls, fieldSelector: $fs, fromRevision: $from) {
    type revision object { ... on Pod { manifest } ... on Service { manifest } ... on Namespace { manifest } }
  }
}`;

export interface TrackedClient {
  client: Client;
  /** Every WebSocket the client opened, oldest first. */
  sockets: WebSocket[];
}

/** A graphql-ws client (no retries, one socket kept open) whose underlying sockets are recorded, so a test can cut them. */
export function trackedClient(httpUrl: string): TrackedClient {
  const sockets: WebSocket[] = [];
  class Tracked extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      sockets.push(this);
    }
  }
  const token = tokenFor(httpUrl);
  const client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: Tracked,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
  return { client, sockets };
}

export interface Recording {
  /** Everything delivered, BOOKMARKs included, in arrival order. */
  events: StreamEvent[];
  errors: Array<{ message: string; extensions?: Record<string, any> }>;
  /** Set once the subscription ended (error or complete). */
  ended: boolean;
  stop(): void;
  /** Resolves when `predicate` holds; rejects on an error (unless `allowErrors`) or after `ms`. */
  until(predicate: (events: StreamEvent[]) => boolean, ms?: number, allowErrors?: boolean): Promise<void>;
  /** Resolves when an event or BOOKMARK at or beyond `revision` has arrived. */
  reached(revision: number, ms?: number): Promise<void>;
  /** The events without BOOKMARKs. */
  changes(): StreamEvent[];
}

export function record(client: Client, variables: Record<string, unknown>, query = WATCH_MANIFEST): Recording {
  const out: Recording = {
    events: [],
    errors: [],
    ended: false,
    stop: () => {},
    until(predicate, ms = 20_000, allowErrors = false) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const check = () => {
          if (predicate(out.events)) return resolve();
          if (out.errors.length && !allowErrors) return reject(new Error(`watch ${JSON.stringify(variables)} failed: ${JSON.stringify(out.errors)}`));
          if (Date.now() - started > ms)
            return reject(new Error(`watch ${JSON.stringify(variables)} timed out with ${out.events.length} events, last ${JSON.stringify(out.events.at(-1)?.revision)}`));
          setTimeout(check, 10);
        };
        check();
      });
    },
    reached(revision, ms) {
      return out.until((events) => (events.at(-1)?.revision ?? -1) >= revision, ms);
    },
    changes: () => out.events.filter((e) => e.type !== 'BOOKMARK'),
  };
  out.stop = client.subscribe<any>(
    { query, variables },
    {
      next: (msg) => {
        if (msg.errors) out.errors.push(...(msg.errors as any));
        const w = msg.data?.watch;
        if (w) out.events.push({ type: w.type, revision: w.revision, object: w.object?.manifest ?? null });
      },
      error: (e: any) => {
        out.ended = true;
        out.errors.push(...(Array.isArray(e) ? e : [{ message: String(e?.message ?? e?.reason ?? e), extensions: e?.extensions ?? { closeCode: e?.code } }]));
      },
      complete: () => (out.ended = true),
    },
  );
  return out;
}
