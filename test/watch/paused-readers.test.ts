/**
 * Memory is bounded in bytes per connection: two connections each with 20 watch subscriptions
 * that never read, while objects of about 1 MiB are written (and some exist before they
 * subscribe, for their initial state). The server's memory stays under a stated bound; the
 * subscriptions past their connection's bound are ended with SLOW_CONSUMER and counted in the
 * metric; a watcher on another connection receives every event meanwhile.
 */
import * as http from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { rawConnect, type RawConnection } from '../support/raw-ws.js';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

/**
 * The bound on the server's growth (it runs in this test's process), heapUsed + external after a
 * full GC: 2 connections × 16 MiB of buffered frames, the event window's 64 MiB, and room for the
 * requests in flight. Buffering for every paused subscription would need 40 × (8 + 40) MiB, over
 * seven times the bound (more subscriptions would prove no more and cost serializing each one's
 * initial state).
 */
const HEAP_BOUND_BYTES = 256 * 1024 * 1024;
/**
 * The bound for one server-sent-events reader that stops reading, on a server whose event window
 * is 16 MiB: the window, the stream's 8 MiB, and room for the requests in flight. Holding every
 * event for it would take 150 MiB.
 */
const SSE_BOUND_BYTES = 96 * 1024 * 1024;
const OBJECT_BYTES = 1024 * 1024;
const EXISTING = 8;
const WRITES = 40;
const SUBSCRIPTIONS = 20;

const memory = () => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};
// A pod's image is a field it may change; a strategic patch changes the image alone.
const PATCH = `mutation($n: String!, $p: JSON!) { patchPod(namespace: "default", name: $n, patch: $p, type: STRATEGIC) { metadata { resourceVersion } } }`;
const pad = (seq: number) => ({ spec: { containers: [{ name: 'a', image: `${seq}`.padEnd(OBJECT_BYTES, 'x') }] } });
const CREATE = `mutation($n: String!) { createPod(input: { metadata: { name: $n }, spec: { containers: [{ name: "a", image: "b" }] } }) { metadata { name } } }`;

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ watch: { maxBacklog: 20, bookmarkIntervalMs: 200 }, keepAliveMs: 600_000 });
  for (let i = 0; i < EXISTING; i++) {
    await api.ok(CREATE, { n: `big-${i}` });
    await api.ok(PATCH, { n: `big-${i}`, p: pad(i) });
  }
}, 60_000);
afterAll(() => api.close());

async function slowSubscriber(): Promise<RawConnection> {
  const conn = await rawConnect(api.server.url);
  await conn.init();
  for (let i = 0; i < SUBSCRIPTIONS; i++) conn.subscribe(`s${i}`, 'subscription { watch(kind: Pod) { type revision object { ... on Pod { manifest } } } }');
  // Stops reading: the kernel's buffers fill, then the server's.
  conn.socket.pause();
  return conn;
}

describe('paused readers with large objects', () => {
  it('hold at most their connection bound, end with SLOW_CONSUMER (counted), and leave others fast', async () => {
    const baseline = memory();
    const fast = await rawConnect(api.server.url);
    await fast.init();
    fast.subscribe('f', 'subscription { watch(kind: Pod) { type revision } }');
    await fast.waitFor(() => fast.of('f').some((m) => m.payload?.data?.watch?.type === 'BOOKMARK'));

    const slow = [await slowSubscriber(), await slowSubscriber()];
    let peak = memory();
    let last = 0;
    for (let i = 0; i < WRITES; i++) {
      const res = await api.ok(PATCH, { n: `big-${i % EXISTING}`, p: pad(100 + i) });
      last = Number(res.patchPod.metadata.resourceVersion);
      if (i % 5 === 4) {
        peak = Math.max(peak, memory());
        // Stop early rather than take the test process down with the server in it.
        if (peak - baseline > HEAP_BOUND_BYTES) break;
      }
    }
    await fast.waitFor(() => fast.of('f').some((m) => m.payload?.data?.watch?.revision === last), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // engine ticks: the backlog check ends the laggards
    peak = Math.max(peak, memory());
    const growth = peak - baseline;
    expect(growth, `memory grew by ${(growth / 2 ** 20).toFixed(1)} MiB`).toBeLessThan(HEAP_BOUND_BYTES);

    // The fast watcher got every write, in order.
    const revisions = fast.of('f').map((m) => m.payload.data.watch).filter((w) => w.type === 'MODIFIED').map((w) => w.revision);
    expect(revisions).toHaveLength(WRITES);
    expect([...revisions].sort((a, b) => a - b)).toEqual(revisions);

    const metrics = await (await fetch(api.server.url.replace('/graphql', '/metrics'))).text();
    const ended = Number(/^kubeql_watch_slow_consumer_terminations_total (\d+)/m.exec(metrics)?.[1]);
    expect(ended).toBeGreaterThan(0);

    // Reading again: every slow subscription ends with SLOW_CONSUMER, after a prefix of what it was sent.
    for (const conn of slow) {
      conn.socket.resume();
      await conn.waitFor((ms) => Array.from({ length: SUBSCRIPTIONS }, (_, i) => `s${i}`).every((id) => ms.some((m) => m.id === id && m.type === 'error')), 60_000);
      for (let i = 0; i < SUBSCRIPTIONS; i++) {
        const messages = conn.of(`s${i}`);
        expect(messages.at(-1)!.payload[0].extensions.code).toBe('SLOW_CONSUMER');
        expect(messages.filter((m) => m.type === 'next').length).toBeLessThan(EXISTING + WRITES);
      }
      expect(conn.socket.readyState).toBe(conn.socket.OPEN);
      conn.close();
    }
    expect(ended).toBeLessThanOrEqual(2 * SUBSCRIPTIONS);
    fast.close();
  }, 180_000);

  it('a watch over server-sent events that is not read holds a bounded buffer too, and so does the event window', async () => {
    // A server of its own, with a smaller event window, so what is measured is the stream's buffer.
    await api.close();
    api = await startTestApi({ watch: { maxBacklog: 100_000, windowBytes: 16 << 20 }, keepAliveMs: 600_000 });
    for (let i = 0; i < EXISTING; i++) await api.ok(CREATE, { n: `big-${i}` });
    const url = new URL(api.server.url);
    const body = JSON.stringify({ query: 'subscription { watch(kind: Pod) { type revision object { ... on Pod { manifest } } } }' });
    const req = http.request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${api.token}`, 'content-length': Buffer.byteLength(body) },
    });
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => req.once('response', resolve).once('error', reject).end(body));
    expect(response.statusCode).toBe(200);
    response.once('data', () => response.pause()); // reads the first chunk, then no more
    await new Promise((resolve) => setTimeout(resolve, 200));

    const baseline = memory();
    let peak = baseline;
    for (let i = 0; i < 150; i++) {
      await api.ok(PATCH, { n: `big-${i % EXISTING}`, p: pad(1000 + i) });
      if (i % 10 === 9) {
        peak = Math.max(peak, memory());
        if (peak - baseline > SSE_BOUND_BYTES) break;
      }
    }
    peak = Math.max(peak, memory());
    const growth = peak - baseline;
    expect(growth, `memory grew by ${(growth / 2 ** 20).toFixed(1)} MiB`).toBeLessThan(SSE_BOUND_BYTES);
    expect((await api.gql('{ revision }')).data?.revision).toBeTypeOf('number');
    response.destroy();
  }, 180_000);
});
