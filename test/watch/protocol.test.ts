/** The graphql-transport-ws protocol as our WebSocket server speaks it: close codes, client `complete`, single-result operations. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_POD, POD, startTestApi, type TestApi } from '../support/api.js';
import { rawConnect } from '../support/raw-ws.js';

const WATCH = `subscription($ls: String) { watch(kind: Pod, namespace: "default", labelSelector: $ls) { type revision object { ... on Pod { metadata { name } } } } }`;

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
});
afterAll(() => api.close());

describe('graphql-transport-ws protocol', () => {
  it('subscribe before connection_init is acknowledged: close 4401, nothing delivered', async () => {
    const conn = await rawConnect(api.server.url);
    conn.subscribe('1', '{ revision }');
    expect(await conn.closed).toEqual({ code: 4401, reason: 'Unauthorized' });
    expect(conn.messages).toEqual([]);
  });

  it('a second subscribe with an id in use: close 4409', async () => {
    const conn = await rawConnect(api.server.url);
    await conn.init();
    conn.subscribe('dup', WATCH, { ls: 'app=dup' });
    await conn.waitFor(() => conn.of('dup').some((m) => m.payload?.data?.watch?.type === 'BOOKMARK'));
    conn.subscribe('dup', WATCH, { ls: 'app=dup' });
    expect(await conn.closed).toEqual({ code: 4409, reason: 'Subscriber for dup already exists' });
  });

  it('no connection_init within the timeout (3 s): close 4408', async () => {
    const conn = await rawConnect(api.server.url);
    const started = Date.now();
    expect(await conn.closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
    expect(Date.now() - started).toBeGreaterThan(2500);
    expect(conn.messages).toEqual([]);
  });

  it('a second connection_init: close 4429', async () => {
    const conn = await rawConnect(api.server.url);
    await conn.init();
    conn.send({ type: 'connection_init' });
    expect((await conn.closed).code).toBe(4429);
  });

  it("a client's complete stops that stream, and only that one", async () => {
    const conn = await rawConnect(api.server.url);
    await conn.init();
    conn.subscribe('stopped', WATCH, { ls: 'app=cw' });
    conn.subscribe('kept', WATCH, { ls: 'app=cw' });
    const bookmarked = (id: string) => conn.of(id).some((m) => m.payload?.data?.watch?.type === 'BOOKMARK');
    await conn.waitFor(() => bookmarked('stopped') && bookmarked('kept'));
    await api.ok(CREATE_POD, { i: POD('cw-1', { labels: { app: 'cw' } }) });
    await conn.waitFor(() => conn.of('stopped').length === 2 && conn.of('kept').length === 2);

    conn.complete('stopped');
    for (let i = 2; i <= 4; i++) await api.ok(CREATE_POD, { i: POD(`cw-${i}`, { labels: { app: 'cw' } }) });
    // The other subscription on the same socket got all three: the stopped one would have by now.
    await conn.waitFor(() => conn.of('kept').length === 5);
    await new Promise((resolve) => setTimeout(resolve, 300)); // bookmark interval: nothing more either
    expect(conn.of('stopped').map((m) => [m.type, m.payload?.data?.watch?.object?.metadata?.name ?? m.payload?.data?.watch?.type])).toEqual([
      ['next', 'BOOKMARK'],
      ['next', 'cw-1'],
    ]);
    expect(conn.of('kept').map((m) => m.payload.data.watch.object?.metadata.name)).toEqual([undefined, 'cw-1', 'cw-2', 'cw-3', 'cw-4']);
    // The id is free again: a new subscription may use it.
    conn.subscribe('stopped', '{ revision }');
    await conn.waitFor(() => conn.of('stopped').some((m) => m.type === 'complete'));
    conn.close();
  });

  it('a query over the WebSocket answers once and completes', async () => {
    const conn = await rawConnect(api.server.url);
    await conn.init();
    const head = api.server.store.head();
    conn.subscribe('q', '{ revision }');
    await conn.waitFor(() => conn.of('q').some((m) => m.type === 'complete'));
    expect(conn.of('q')).toEqual([
      { id: 'q', type: 'next', payload: { data: { revision: head } } },
      { id: 'q', type: 'complete' },
    ]);

    // A query with an error answers an `error` message, and the socket stays open.
    conn.subscribe('bad', '{ nope }');
    await conn.waitFor(() => conn.of('bad').length > 0);
    expect(conn.of('bad')).toMatchObject([{ type: 'error', payload: [{ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] }]);
    conn.subscribe('q2', '{ revision }');
    await conn.waitFor(() => conn.of('q2').some((m) => m.type === 'complete'));
    expect(conn.socket.readyState).toBe(conn.socket.OPEN);
    conn.close();
  });
});

describe('operations other than subscriptions over the WebSocket', () => {
  it('a mutation answers once and completes, acting as the connection identity', async () => {
    const api = await startTestApi();
    try {
      const conn = await rawConnect(api.server.url);
      await conn.init();
      conn.subscribe('m', `mutation { createNamespace(input: { metadata: { name: "over-ws" } }) { metadata { name } } }`);
      await conn.waitFor(() => conn.of('m').some((m) => m.type === 'complete'));
      expect(conn.of('m')[0].payload.data.createNamespace.metadata.name).toBe('over-ws');
      conn.close();
      const row = api.db().prepare(`SELECT actor FROM events WHERE name = 'over-ws'`).get() as { actor: string };
      expect(row.actor).toBe('admin');
    } finally {
      await api.close();
    }
  });
});
