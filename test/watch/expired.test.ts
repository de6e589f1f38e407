/**
 * Watching from below the compaction floor answers EXPIRED (a graphql-ws `error` for that
 * subscription only); the same socket goes on serving other subscriptions. The floor comes from
 * the store's compaction (store.compact) or from periodic retention.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_POD, POD, startTestApi, type TestApi } from '../support/api.js';
import { rawConnect, type RawConnection } from '../support/raw-ws.js';

const WATCH = `subscription($from: Revision) { watch(kind: Pod, namespace: "default", fromRevision: $from) { type revision object { ... on Pod { metadata { name resourceVersion } } } } }`;
const PATCH = `mutation($n: String!, $p: JSON!) { patchPod(namespace: "default", name: $n, patch: $p) { metadata { resourceVersion } } }`;

const nexts = (conn: RawConnection, id: string) => conn.of(id).filter((m) => m.type === 'next').map((m) => m.payload.data.watch);
const errorOf = (conn: RawConnection, id: string) => conn.of(id).find((m) => m.type === 'error');

async function writePods(api: TestApi, prefix: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await api.ok(CREATE_POD, { i: POD(`${prefix}-${i}`, { labels: { app: 'x' } }) });
    await api.ok(PATCH, { n: `${prefix}-${i}`, p: { metadata: { labels: { seq: String(i) } } } });
  }
}

/** The pod events of the log after `from`, as the watch must deliver them (an unselective watch: each event as it is). */
function podEventsAfter(api: TestApi, from: number): Array<{ type: string; revision: number; name: string }> {
  return (
    api.db().prepare(`SELECT type, revision, name FROM events WHERE kind = 'Pod' AND namespace = 'default' AND revision > ? ORDER BY revision`).all(from) as Array<{
      type: string;
      revision: number;
      name: string;
    }>
  ).map((r) => ({ ...r }));
}

describe('EXPIRED after compaction (store.compact)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
  });
  afterAll(() => api.close());

  it('a watch from below the floor gets EXPIRED; from the floor itself it gets every later event; one socket throughout', async () => {
    await writePods(api, 'c', 15);
    const floor = api.server.store.compact(api.server.store.head() - 10);
    expect(floor).toBeGreaterThan(5);
    expect(api.db().prepare('SELECT min(revision) AS r FROM events').get()).toEqual({ r: floor + 1 });

    const conn = await rawConnect(api.server.url);
    await conn.init();
    conn.subscribe('old', WATCH, { from: floor - 1 });
    await conn.waitFor(() => errorOf(conn, 'old') !== undefined);
    const error = errorOf(conn, 'old')!;
    expect(error.payload).toHaveLength(1);
    expect(error.payload[0].extensions).toMatchObject({ code: 'EXPIRED', floor });
    expect(error.payload[0].message).toMatch(/compacted/);
    expect(nexts(conn, 'old')).toEqual([]);

    conn.subscribe('old-2', WATCH, { from: 1 });
    await conn.waitFor(() => errorOf(conn, 'old-2') !== undefined);
    expect(errorOf(conn, 'old-2')!.payload[0].extensions.code).toBe('EXPIRED');

    // The same socket: a watch from the floor (exclusive) delivers exactly the log after it, then live events.
    conn.subscribe('ok', WATCH, { from: floor });
    await writePods(api, 'after', 2);
    const head = api.server.store.head();
    await conn.waitFor(() => nexts(conn, 'ok').some((w) => w.revision >= head));
    const got = nexts(conn, 'ok')
      .filter((w) => w.type !== 'BOOKMARK')
      .map((w) => ({ type: w.type, revision: w.revision, name: w.object.metadata.name }));
    expect(got).toEqual(podEventsAfter(api, floor));
    expect(got[0].revision).toBe(floor + 1);
    expect(conn.socket.readyState).toBe(conn.socket.OPEN);
    conn.close();
    expect((await conn.closed).code).toBe(1005);
  });
});

describe('EXPIRED after retention', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ watch: { bookmarkIntervalMs: 200 }, retention: { keepRevisions: 20, intervalMs: 50 } });
  });
  afterAll(() => api.close());

  it('retention moves the floor; a watch from before it gets EXPIRED and the socket still runs a new watch', async () => {
    await writePods(api, 'r', 25);
    const head = api.server.store.head();
    const started = Date.now();
    while (api.server.store.floor() < head - 20) {
      if (Date.now() - started > 5000) throw new Error(`retention did not compact (floor ${api.server.store.floor()}, head ${head})`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const floor = api.server.store.floor();
    expect(floor).toBe(head - 20);

    const conn = await rawConnect(api.server.url);
    await conn.init();
    conn.subscribe('1', WATCH, { from: 3 });
    await conn.waitFor(() => errorOf(conn, '1') !== undefined);
    expect(errorOf(conn, '1')!.payload[0].extensions).toMatchObject({ code: 'EXPIRED', floor });

    // Without fromRevision: the state now (synthetic ADDED, then a BOOKMARK at the head), on the same socket.
    conn.subscribe('2', WATCH, {});
    await conn.waitFor(() => nexts(conn, '2').some((w) => w.type === 'BOOKMARK'));
    const events = nexts(conn, '2');
    expect(events.at(-1)).toMatchObject({ type: 'BOOKMARK', revision: head });
    expect(events.filter((w) => w.type === 'ADDED').map((w) => w.object.metadata.name).sort()).toEqual(
      Array.from({ length: 25 }, (_, i) => `r-${i}`).sort(),
    );
    expect(conn.socket.readyState).toBe(conn.socket.OPEN);
    conn.close();
  });
});
