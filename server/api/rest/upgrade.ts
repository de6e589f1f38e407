/**
 * Connection upgrades on the REST API's paths (kubectl exec, attach and port-forward ask for a
 * WebSocket or SPDY stream): Kubeql runs no containers, so each is answered with a Kubernetes
 * Status (401 without a valid token, 400 saying so otherwise) and the connection is closed.
 * Upgrades on other paths (GraphQL's WebSocket) go to the listeners that were there.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Identity } from '../auth/identity.js';
import { status } from './status.js';

const REST_PATH = /^\/(api|apis)(\/|$)/;

function answer(socket: Duplex, code: number, reason: string, message: string): void {
  const body = JSON.stringify(status(code, reason, message));
  const text = code === 401 ? 'Unauthorized' : 'Bad Request';
  socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export function refuseRestUpgrades(http: Server, authenticate: (authorization: string | undefined) => Identity | undefined): void {
  const others = http.listeners('upgrade') as Array<(req: IncomingMessage, socket: Duplex, head: Buffer) => void>;
  http.removeAllListeners('upgrade');
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!REST_PATH.test(req.url ?? '')) {
      for (const listener of others) listener.call(http, req, socket, head);
      return;
    }
    socket.on('error', () => socket.destroy());
    if (!authenticate(req.headers.authorization)) return answer(socket, 401, 'Unauthorized', 'Unauthorized: a valid bearer token is required');
    const what = (req.url ?? '').split('?')[0].split('/').at(-1)?.slice(0, 32) ?? '';
    answer(socket, 400, 'BadRequest', `Kubeql runs no real containers (its nodes are simulated): ${what || 'this stream'} is not available; the pod's state is in its status (kubectl describe pod)`);
  });
}
