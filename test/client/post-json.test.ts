/**
 * The client's connections: a process that sends bursts of many requests at once (the node agents,
 * one client per node) keeps the connections of one burst for the next, instead of closing all
 * but a few hundred and opening them again (a storm of connects the server's accept queue drops);
 * and a bounded pool (the agents process's) never opens more than its bound, however many requests wait.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionPool } from '../../server/client/connection-pool.js';
import { postJson } from '../../server/client/post-json.js';

/** More than Node's default of 256 idle connections kept per host. */
const BURST = 300;

let server: Server;
let url: URL;
let connections = 0;
/** Requests held until a whole burst has arrived, so that every request of a burst is in flight at once. */
let held: ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      held.push(res);
      if (held.length < BURST) return;
      for (const r of held.splice(0)) r.end(JSON.stringify({ data: { ok: true } }));
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

const burst = () => Promise.all(Array.from({ length: BURST }, () => postJson(url, { 'content-type': 'application/json' }, '{"query":"{ revision }"}')));

describe('postJson connections', () => {
  it(`a second burst of ${BURST} concurrent requests reuses the first burst's connections`, async () => {
    const first = await burst();
    expect(first.every((a) => a.status === 200)).toBe(true);
    expect(connections).toBe(BURST);
    // The sockets go back to the agent's free list as their responses end.
    await new Promise((r) => setImmediate(r));
    const second = await burst();
    expect(second.every((a) => a.status === 200)).toBe(true);
    expect(connections).toBe(BURST);
  }, 60_000);
});

describe('a bounded connection pool', () => {
  it('a burst of 300 concurrent requests goes out over at most the pool bound of 16 connections, the rest waiting for one; all are answered', async () => {
    let opened = 0;
    let inFlight = 0;
    let most = 0;
    const bounded = createServer((req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      req.resume();
      // Answered a moment later, so that the burst's requests pile up.
      req.on('end', () => setTimeout(() => (inFlight--, res.end('{"data":{"ok":true}}')), 5));
    });
    bounded.keepAliveTimeout = 60_000;
    bounded.on('connection', () => opened++);
    await new Promise<void>((resolve) => bounded.listen({ port: 0, host: '127.0.0.1' }, resolve));
    const target = new URL(`http://127.0.0.1:${(bounded.address() as AddressInfo).port}/graphql`);
    const pool = createConnectionPool({ maxSockets: 16 });
    try {
      const answers = await Promise.all(Array.from({ length: BURST }, () => postJson(target, { 'content-type': 'application/json' }, '{"query":"{ revision }"}', undefined, pool)));
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(opened).toBeLessThanOrEqual(16);
      expect(most).toBeLessThanOrEqual(16);
      expect(pool.opened).toBe(opened);
      expect(pool.waiting()).toBe(0);
    } finally {
      pool.destroy();
      bounded.closeAllConnections();
      await new Promise<void>((resolve) => bounded.close(() => resolve()));
    }
  }, 60_000);
});

describe('a request timeout in a bounded pool', () => {
  it('runs from the moment the request has a connection: a request that waited longer than its timeout for one is still answered, over the same connection', async () => {
    const TIMEOUT_MS = 2000;
    let opened = 0;
    const slow = createServer((req, res) => {
      req.resume();
      // The first request holds the pool's one connection for longer than the second's whole timeout.
      const holdMs = req.headers['x-hold'] === 'yes' ? 2.5 * TIMEOUT_MS : 0;
      req.on('end', () => setTimeout(() => res.end('{"data":{"ok":true}}'), holdMs));
    });
    slow.keepAliveTimeout = 60_000;
    slow.on('connection', () => opened++);
    await new Promise<void>((resolve) => slow.listen({ port: 0, host: '127.0.0.1' }, resolve));
    const target = new URL(`http://127.0.0.1:${(slow.address() as AddressInfo).port}/graphql`);
    const pool = createConnectionPool({ maxSockets: 1 });
    try {
      const first = postJson(target, { 'x-hold': 'yes' }, '{}', 10 * TIMEOUT_MS, pool);
      const second = postJson(target, {}, '{}', TIMEOUT_MS, pool);
      await new Promise((r) => setTimeout(r, 100));
      expect(pool.waiting()).toBe(1);
      const answers = await Promise.all([first, second]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      expect(opened).toBe(1);
      expect(pool.opened).toBe(1);
    } finally {
      pool.destroy();
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  }, 60_000);

  it('still abandons an exchange the server leaves unanswered, with ResponseTimeout, and destroys its connection', async () => {
    let opened = 0;
    const silent = createServer((req) => req.resume());
    silent.on('connection', () => opened++);
    await new Promise<void>((resolve) => silent.listen({ port: 0, host: '127.0.0.1' }, resolve));
    const target = new URL(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/graphql`);
    const pool = createConnectionPool({ maxSockets: 1 });
    try {
      await expect(postJson(target, {}, '{}', 300, pool)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
      expect(opened).toBe(1);
      await new Promise((r) => setTimeout(r, 50));
      expect(pool.open()).toBe(0);
    } finally {
      pool.destroy();
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  }, 60_000);
});
