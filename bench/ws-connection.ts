/**
 * A bare graphql-transport-ws connection for the load generator (`ws`, no graphql-ws client):
 * frames arrive as Buffers and are handed on unparsed, so a benchmark pays only for the frames it
 * chooses to look into.
 */
import WebSocket from 'ws';

export interface WsConnection {
  subscribe(id: string, query: string, variables?: Record<string, unknown>): void;
  close(): void;
}

/** Opens, sends connection_init (with the bearer token) and resolves once acknowledged; `onFrame` gets every later frame. */
export function connectWs(httpUrl: string, token: string | undefined, onFrame: (data: Buffer) => void): Promise<WsConnection> {
  const socket = new WebSocket(httpUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', (code, reason) => reject(new Error(`WebSocket closed before connection_ack: ${code} ${reason}`)));
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} })));
    socket.once('message', (data: Buffer) => {
      if (JSON.parse(data.toString()).type !== 'connection_ack') return reject(new Error(`expected connection_ack, got ${data.toString().slice(0, 200)}`));
      socket.removeAllListeners('close');
      socket.on('close', (code, reason) => {
        if (code !== 1000 && code !== 1005) console.error(`WebSocket closed: ${code} ${reason}`);
      });
      socket.on('message', onFrame);
      resolve({
        subscribe: (id, query, variables) => socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } })),
        close: () => socket.close(1000),
      });
    });
  });
}
