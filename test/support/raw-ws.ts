/**
 * A bare graphql-transport-ws connection over `ws`, for tests that must control the protocol
 * itself: send messages out of order, stop reading, see close codes, keep one socket throughout.
 */
import WebSocket from 'ws';
import { tokenFor } from './tokens.js';

export interface ProtocolMessage {
  type: string;
  id?: string;
  payload?: any;
}

export interface RawConnection {
  socket: WebSocket;
  /** Every message received, parsed, in order. */
  messages: ProtocolMessage[];
  /** Resolves with the close code and reason once the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
  send(message: ProtocolMessage): void;
  /** connection_init (by default with the test server's admin token), then waits for connection_ack. */
  init(payload?: Record<string, unknown>): Promise<void>;
  subscribe(id: string, query: string, variables?: Record<string, unknown>): void;
  complete(id: string): void;
  /** Messages for one subscription id. */
  of(id: string): ProtocolMessage[];
  waitFor(predicate: (messages: ProtocolMessage[]) => boolean, ms?: number): Promise<void>;
  close(): void;
}

export async function rawConnect(httpUrl: string): Promise<RawConnection> {
  const socket = new WebSocket(httpUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const messages: ProtocolMessage[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data))));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });

  const conn: RawConnection = {
    socket,
    messages,
    closed,
    send: (message) => socket.send(JSON.stringify(message)),
    async init(payload) {
      // Authenticates as the test server's admin unless the test says otherwise.
      const token = tokenFor(httpUrl);
      conn.send({ type: 'connection_init', payload: payload ?? (token ? { authorization: `Bearer ${token}` } : undefined) });
      await conn.waitFor((ms) => ms.some((m) => m.type === 'connection_ack'));
    },
    subscribe: (id, query, variables) => conn.send({ type: 'subscribe', id, payload: { query, variables } }),
    complete: (id) => conn.send({ type: 'complete', id }),
    of: (id) => messages.filter((m) => m.id === id),
    waitFor(predicate, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const check = () => {
          if (predicate(messages)) return resolve();
          if (Date.now() - started > ms) return reject(new Error(`timed out after ${messages.length} messages; last: ${JSON.stringify(messages.at(-1))?.slice(0, 300)}`));
          setTimeout(check, 5);
        };
        check();
      });
    },
    close: () => socket.close(),
  };
  return conn;
}
