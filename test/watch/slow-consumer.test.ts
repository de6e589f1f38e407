/**
 * A client that subscribes and then stops reading is ended with SLOW_CONSUMER once it is more
 * than maxBacklog (500) events behind, while the server's memory stays bounded and a normal
 * watcher on another connection keeps receiving every event. After it reads again, it finds what
 * was sent, then the SLOW_CONSUMER error, and resumes on the same socket from its last revision.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { rawConnect } from '../support/raw-ws.js';
import { expectedStream, firstDifference, orderProblem, readLog, type StreamEvent, type WatchSpec } from '../support/watch-log.js';
import { record, trackedClient } from '../support/watch-recorder.js';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

/**
 * The bound: the server (it runs in this test's process) may grow by less than this over the
 * baseline, measured after a full GC as heapUsed + external (frames handed to a socket are
 * Buffers, counted in external). Unbounded buffering of this test's traffic would take about
 * 8 subscriptions × 2,000 events × 8 KiB ≈ 125 MiB.
 */
const HEAP_BOUND_BYTES = 64 * 1024 * 1024;
const MAX_BACKLOG = 500;
const PADDING = 8 * 1024;
const PODS = 40;
const PATCHES = 2000;
const SUBSCRIPTIONS = 8;

const SPEC: WatchSpec = { kind: 'Pod', namespace: 'default', matches: () => true };
/** Each slow subscription selects the whole object under its own alias, so they do not share frames. */
const heavyWatch = (alias: string) =>
  `subscription($from: Revision) { ${alias}: watch(kind: Pod, namespace: "default", fromRevision: $from) { type revision object { ... on Pod { manifest } } } }`;
const LIGHT_WATCH = `subscription($from: Revision) { watch(kind: Pod, namespace: "default", fromRevision: $from) { type revision } }`;
const PATCH = `mutation($n: String!, $p: JSON!) { patchPod(namespace: "default", name: $n, patch: $p) { metadata { resourceVersion } } }`;

const memory = () => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};
const brief = (events: readonly StreamEvent[]) => events.map((e) => ({ type: e.type, revision: e.revision }));

let api: TestApi;
beforeAll(async () => {
  // A small window: the window's own (bounded) memory is not what this test measures.
  api = await startTestApi({ watch: { bookmarkIntervalMs: 200, maxBacklog: MAX_BACKLOG, windowSize: 200 }, keepAliveMs: 60_000 });
  for (let i = 0; i < PODS; i++)
    await api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, {
      i: { metadata: { name: `big-${i}`, annotations: { padding: 'x'.repeat(PADDING) } }, spec: { containers: [{ name: 'a', image: 'nginx' }] } },
    });
});
afterAll(() => api.close());

describe('slow consumer', () => {
  it('is ended with SLOW_CONSUMER, memory stays bounded, other watchers are unaffected, and it resumes from its last revision', async () => {
    const from = api.server.store.head();
    const slow = await rawConnect(api.server.url);
    await slow.init();
    const ids = Array.from({ length: SUBSCRIPTIONS }, (_, i) => `s${i}`);
    for (const id of ids) slow.subscribe(id, heavyWatch(id), { from });
    slow.socket.pause(); // stops reading: the kernel buffers fill, then the server's

    const normal = trackedClient(api.server.url);
    const watcher = record(normal.client, { from }, LIGHT_WATCH);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const baseline = memory();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, memory())), 1000);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < PATCHES) {
          const i = next++;
          await api.ok(PATCH, { n: `big-${i % PODS}`, p: { metadata: { labels: { seq: String(i) } } } });
        }
      }),
    );
    const head = api.server.store.head();
    expect(head - from).toBe(PATCHES);
    await watcher.reached(head);
    await new Promise((resolve) => setTimeout(resolve, 500)); // a few engine ticks with the slow client still stalled
    clearInterval(sampler);
    peak = Math.max(peak, memory());
    const growth = peak - baseline;
    expect(growth, `memory grew by ${(growth / 2 ** 20).toFixed(1)} MiB`).toBeLessThan(HEAP_BOUND_BYTES);

    // The normal watcher on its own connection got everything, in order.
    const expected = expectedStream(readLog(api.db()), SPEC, from, head);
    expect(expected).toHaveLength(PATCHES);
    expect(watcher.errors).toEqual([]);
    expect(orderProblem(watcher.events)).toBeUndefined();
    expect(brief(watcher.changes())).toEqual(brief(expected));

    // Reading again: what was sent, then the error, for each slow subscription.
    slow.socket.resume();
    await slow.waitFor(() => ids.every((id) => slow.of(id).some((m) => m.type === 'error')));
    const lastOf: Record<string, number> = {};
    for (const id of ids) {
      const messages = slow.of(id);
      const error = messages.at(-1)!;
      expect(error.type).toBe('error');
      expect(error.payload[0].extensions.code).toBe('SLOW_CONSUMER');
      const got: StreamEvent[] = messages.slice(0, -1).map((m) => ({ type: m.payload.data[id].type, revision: m.payload.data[id].revision, object: m.payload.data[id].object?.manifest }));
      // A prefix of its stream, far short of the whole: it was cut off, not buffered for.
      expect(got.length).toBeGreaterThan(0);
      expect(got.length).toBeLessThan(PATCHES - MAX_BACKLOG);
      expect(firstDifference(got, expected.slice(0, got.length)), id).toBeUndefined();
      lastOf[id] = got.at(-1)!.revision;
    }

    // The socket is still open: resume one of them from its last revision; together the pieces are the whole stream.
    expect(slow.socket.readyState).toBe(slow.socket.OPEN);
    slow.subscribe('again', LIGHT_WATCH, { from: lastOf.s0 });
    await slow.waitFor(() => slow.of('again').some((m) => m.payload?.data?.watch?.revision === head), 30_000);
    const resumed = slow.of('again').map((m) => m.payload.data.watch);
    const first = slow.of('s0').slice(0, -1).map((m) => m.payload.data.s0);
    expect(brief([...first, ...resumed].filter((e) => e.type !== 'BOOKMARK'))).toEqual(brief(expected));

    slow.close();
    watcher.stop();
    await normal.client.dispose();
  }, 300_000); // a guard against a hang; on an idle machine it takes about 8 s, 40–120 s on a loaded 2-core one
});
