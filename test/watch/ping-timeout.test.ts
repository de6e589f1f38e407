/**
 * A graphql-ws connection that leaves the server's ping unanswered for a whole interval is dropped
 * (its client connects again and resumes its watches), and counted: the full-size benchmark saw
 * agents' sockets open again and could not tell why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { rawConnect } from '../support/raw-ws.js';

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
});
