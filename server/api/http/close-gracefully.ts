/**
 * Stops an HTTP server the way a rolling restart wants: no new connections from now on, idle
 * keep-alive connections closed at once, requests in flight allowed to finish (their connection
 * closes after the response), and whatever is still open after `graceMs` cut. Node's own
 * `server.close()` is not used: it also closes connections whose request was read but not yet
 * answered (they count as idle), resetting mutations in flight. Upgraded (WebSocket) connections
 * are left to their own server.
 */
import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

export type CloseGracefully = (graceMs: number) => Promise<void>;

/** Starts tracking `http`'s connections (call before it listens); the returned function closes it. `listener` is the server that accepts them (`http` itself unless a front listener hands it connections). */
export function gracefulCloser(http: Server, listener: NetServer = http): CloseGracefully {
  /** Each HTTP connection's responses in progress. */
  const connections = new Map<Socket, Set<ServerResponse>>();
  let closing = false;

  http.on('connection', (socket: Socket) => {
    connections.set(socket, new Set());
    socket.once('close', () => connections.delete(socket));
  });
  http.on('upgrade', (req) => connections.delete(req.socket));
  http.on('request', (req, res) => {
    const inFlight = connections.get(req.socket);
    if (!inFlight) return;
    inFlight.add(res);
    if (closing) res.shouldKeepAlive = false;
    res.once('close', () => {
      inFlight.delete(res);
      if (closing && inFlight.size === 0) req.socket.destroySoon();
    });
  });

  return (graceMs) =>
    new Promise<void>((resolve) => {
      closing = true;
      const deadline = setTimeout(() => connections.forEach((_, socket) => socket.destroy()), graceMs);
      deadline.unref();
      // Stop listening; the callback comes once every connection (WebSockets included) is closed.
      NetServer.prototype.close.call(listener, () => {
        clearTimeout(deadline);
        resolve();
      });
      for (const [socket, inFlight] of connections) {
        if (inFlight.size === 0) socket.destroy();
        else for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
      }
    });
}
