/**
 * The client's connections: a process that sends bursts of many requests at once (the node agents,
 * one client per node; a ReplicaSet's creates) opens at most MAX_CONNECTIONS connections, the
 * rest of a burst waiting for one, and keeps them for the next burst instead of closing and
 * opening them again (a storm of connects that waits in the server's accept queue).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CONNECTIONS, postJson } from '../../server/client/post-json.js';

/** More requests at once than the connections a process opens. */
const BURST = MAX_CONNECTIONS + 44;

let server: Server;
let url: URL;
let connections = 0;
/**
 * Each burst's first requests are held until MAX_CONNECTIONS of them are in flight at once (the
 * most the client may have), then answered together; the rest of the burst is answered at once.
 */
let held: ServerResponse[] = [];
let holding = true;
const answer = (res: ServerResponse) => res.end(JSON.stringify({ data: { ok: true } }));

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      if (!holding) return answer(res);
      held.push(res);
      if (held.length < MAX_CONNECTIONS) return;
      holding = false;
      held.splice(0).forEach(answer);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function burst(): Promise<void> {
  holding = true;
  const answers = await Promise.all(Array.from({ length: BURST }, () => postJson(url, { 'content-type': 'application/json' }, '{"query":"{ revision }"}')));
  expect(answers.every((a) => a.status === 200)).toBe(true);
}

describe('postJson connections', () => {
  it(`a burst of ${BURST} requests at once opens ${MAX_CONNECTIONS} connections; the next burst reuses them`, async () => {
    await burst();
    expect(connections).toBe(MAX_CONNECTIONS);
    // The sockets go back to the agent's free list as their responses end.
    await new Promise((r) => setImmediate(r));
    await burst();
    expect(connections).toBe(MAX_CONNECTIONS);
  }, 60_000);
});
