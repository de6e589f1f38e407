/**
 * A graphql-ws connection that leaves the server's ping unanswered for a whole interval is dropped
 * (its client connects again and resumes its watches), and counted: the full-size benchmark saw
 * agents' sockets open again and could not tell why.
 */
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { rawConnect } from '../support/raw-ws.js';
import { tokenFor } from '../support/tokens.js';

/**
 * A graphql-ws client on a thread of its own (its answers go on while this thread, the server's,
 * is held): it answers each ping PONG_DELAY_MS late and tells the test of each ping and of its close.
 */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const WebSocket = require('ws');
const ws = new WebSocket(workerData.url, 'graphql-transport-ws', { autoPong: false });
ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer ' + workerData.token } })));
ws.on('message', (data) => { if (JSON.parse(String(data)).type === 'connection_ack') parentPort.postMessage('ack'); });
ws.on('ping', (data) => { parentPort.postMessage('ping'); setTimeout(() => ws.pong(data), workerData.pongDelayMs); });
ws.on('close', (code) => parentPort.postMessage('close ' + code));
`;
const PONG_DELAY_MS = 200;

let api: TestApi;
beforeAll(async () => {
  // Long enough that the reading connection answers in time on a loaded machine, short enough for a test.
  api = await startTestApi({ keepAliveMs: 1500 });
});
afterAll(async () => {
  await api?.close();
});

/** The sum of a metric's samples whose labels include `labels` (`client="user"`), 0 when it has none. */
const metric = async (name: string, labels = '') => {
  const text = await (await fetch(api.server.url.replace('/graphql', '/metrics'))).text();
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\d+)`, 'gm'))) if ((m[1] ?? '').includes(labels)) sum += Number(m[2]);
  return sum;
};

describe('WebSocket ping timeouts', () => {
  it('drop a connection that stops reading, count it, and leave a reading one alone', async () => {
    expect(await metric('kubeql_websocket_ping_timeouts_total')).toBe(0);
    const reading = await rawConnect(api.server.url);
    await reading.init();
    const silent = await rawConnect(api.server.url);
    await silent.init();
    expect(await metric('kubeql_websocket_connections')).toBe(2);
    // No more reading on this one: the server's pings go unanswered.
    silent.socket.pause();
    const deadline = Date.now() + 20_000;
    while ((await metric('kubeql_websocket_ping_timeouts_total')) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await metric('kubeql_websocket_ping_timeouts_total')).toBe(1);
    // Counted by who the connection was (the admin: a user) and whether the ping had left the server:
    // it had (the client stopped reading, its socket's buffer had room for the ping).
    expect(await metric('kubeql_websocket_ping_timeouts_total', 'client="user",ping="written"')).toBe(1);
    expect(await metric('kubeql_websocket_connections')).toBe(1);
    silent.socket.resume();
    expect((await silent.closed).code).toBe(1006);
    // The reading connection answered every ping meanwhile and still serves.
    reading.subscribe('q', '{ namespaces(first: 1) { edges { node { metadata { name } } } } }');
    await reading.waitFor((ms) => ms.some((m) => m.id === 'q' && m.type === 'complete'));
    expect(reading.socket.readyState).toBe(reading.socket.OPEN);
    reading.close();
  }, 60_000);

  it('count a pong that came back while the server\'s event loop was held past the interval (read before the connection is judged)', async () => {
    const before = await metric('kubeql_websocket_ping_timeouts_total');
    const worker = new Worker(CLIENT, { eval: true, workerData: { url: api.server.url.replace(/^http/, 'ws'), token: tokenFor(api.server.url), pongDelayMs: PONG_DELAY_MS } });
    const said: string[] = [];
    const heard = (what: string, ms = 20_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${what}" from the client within ${ms} ms; it said ${JSON.stringify(said)}`)), ms);
        const check = () => (said.includes(what) ? (clearTimeout(timer), resolve()) : setTimeout(check, 10));
        check();
      });
    let held = false;
    worker.on('message', (m: string) => {
      said.push(m);
      // At the first ping: this thread (the server's) is held past the next ping's time, while the
      // client answers the ping (PONG_DELAY_MS later) into the socket. When the loop runs again, the
      // interval's timer comes before the socket is read.
      if (m === 'ping' && !held) {
        held = true;
        const until = Date.now() + 1500 + 500;
        while (Date.now() < until);
      }
    });
    try {
      await heard('ack');
      await heard('ping');
      // Two intervals more: pinged again and answered, never dropped.
      const pings = () => said.filter((m) => m === 'ping').length;
      const deadline = Date.now() + 20_000;
      while (pings() < 3 && !said.some((m) => m.startsWith('close')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(pings()).toBeGreaterThanOrEqual(3);
      expect(said.filter((m) => m.startsWith('close'))).toEqual([]);
      expect(await metric('kubeql_websocket_ping_timeouts_total')).toBe(before);
    } finally {
      await worker.terminate();
    }
  }, 60_000);
});
