/**
 * A TCP proxy that can be paused: while paused, bytes in both directions wait in order, and flow
 * again on resume, as a network partition that heals. Put in front of PostgreSQL, it makes one
 * client fall behind while the others go on.
 */
import { createConnection, createServer, type Socket } from 'node:net';

export interface PausableProxy {
  port: number;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startPausableProxy(host: string, port: number): Promise<PausableProxy> {
  const sockets = new Set<Socket>();
  let paused = false;
  const held: Array<() => void> = [];
  const forward = (to: Socket) => (chunk: Buffer) => {
    const send = () => to.writable && to.write(chunk);
    if (paused) held.push(send);
    else send();
  };
  const server = createServer((client) => {
    const upstream = createConnection({ host, port });
    sockets.add(client).add(upstream);
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const send of held.splice(0)) send();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
