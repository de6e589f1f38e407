/**
 * A TCP proxy in front of the API server whose WebSocket connections deliver the server's bytes
 * `delayMs` late (in order): a watch that lags behind the writes, as a slow network or a busy
 * server makes it. Plain HTTP answers pass through at once, or as late with `{ answers: true }` (a
 * client whose every round trip takes `delayMs`). `hold()` keeps every WebSocket byte back (a watch
 * that delivers nothing) until `release()`.
 */
import { createConnection, createServer, type Socket } from 'node:net';
import { registerToken, tokenFor } from './tokens.js';

export interface SlowWatchProxy {
  /** The proxy's base URL (`http://127.0.0.1:port/graphql`). */
  url: string;
  /** From now on, WebSocket bytes wait until release(). */
  hold(): void;
  /** Delivers what was held, in order, and lets bytes through again. */
  release(): void;
  close(): Promise<void>;
}

export async function startSlowWatchProxy(target: string, delayMs: number, options: { answers?: boolean } = {}): Promise<SlowWatchProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  let held: Array<() => void> | undefined;
  const server = createServer((client) => {
    const server = createConnection({ host: upstream.hostname, port: Number(upstream.port) });
    sockets.add(client).add(server);
    let websocket: boolean | undefined;
    let releaseAt = 0;
    client.on('data', (chunk) => {
      websocket ??= /^upgrade:\s*websocket/im.test(chunk.toString('latin1'));
      server.write(chunk);
    });
    server.on('data', (chunk) => {
      if (!websocket && !options.answers) return void client.write(chunk);
      const deliver = () => {
        // Every chunk waits delayMs, and never overtakes the one before it.
        releaseAt = Math.max(Date.now() + delayMs, releaseAt);
        setTimeout(() => client.writable && client.write(chunk), releaseAt - Date.now());
      };
      if (held && websocket) held.push(deliver);
      else deliver();
    });
    const end = () => {
      // Delayed bytes go out before the close that follows them.
      setTimeout(() => client.destroy(), websocket || options.answers ? delayMs : 0);
      server.destroy();
    };
    server.on('close', end).on('error', end);
    client.on('close', () => server.destroy()).on('error', () => server.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}${upstream.pathname}`;
  // Clients of the proxy authenticate as clients of the server behind it.
  const token = tokenFor(target);
  if (token) registerToken(url, token);
  return {
    url,
    hold() {
      held ??= [];
    },
    release() {
      const waiting = held ?? [];
      held = undefined;
      for (const deliver of waiting) deliver();
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
