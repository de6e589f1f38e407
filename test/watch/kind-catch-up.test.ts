/**
 * A watch catching up from the log reads only its own kind, and only that kind's compaction floor
 * can expire it: a Pod watch resuming from before a run of Lease renewals — more of them than the
 * in-memory window and the backlog bound hold, and already compacted (superseded Lease versions go
 * first) — gets exactly the Pod events of the log after its revision, then live ones. While the
 * Pod events it missed are still in the Pod window (however many Lease events passed the shared
 * window meanwhile), it catches up from memory without reading the log.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CREATE_POD, POD, startTestApi, type TestApi } from '../support/api.js';
import { rawConnect } from '../support/raw-ws.js';

const WATCH = `subscription($from: Revision) { watch(kind: Pod, namespace: "default", fromRevision: $from) { type revision object { ... on Pod { metadata { name } } } } }`;
const CREATE_LEASE = `mutation($i: LeaseInput!) { createLease(input: $i) { metadata { resourceVersion } } }`;
const renewals = (n: number, round: number) =>
  `mutation { ${Array.from({ length: n }, (_, i) => `r${i}: patchLease(namespace: "default", name: "node-${i}", patch: { spec: { renewTime: "2026-01-01T00:00:${String(round % 60).padStart(2, '0')}.000000Z" } }) { metadata { resourceVersion } }`).join(' ')} }`;

/** Pods and Lease renewals, the renewals compacted; a Pod watch from before them; its events and the log's Pod events after it. */
async function catchUp(api: TestApi) {
  await api.ok(CREATE_POD, { i: POD('before') });
  const from = api.server.store.head();
  for (let i = 0; i < 20; i++) await api.ok(CREATE_LEASE, { i: { metadata: { name: `node-${i}`, namespace: 'default' }, spec: { holderIdentity: `node-${i}` } } });
  await api.ok(CREATE_POD, { i: POD('between') });
  for (let round = 1; round <= 15; round++) await api.ok(renewals(20, round));
  // Superseded Lease versions are compacted: the Lease floor passes the watch's revision, the Pod floor does not.
  const leaseFloor = api.server.store.compactKind('Lease', api.server.store.head() - 5);
  expect(leaseFloor).toBeGreaterThan(from);
  expect(api.server.store.kindFloor('Pod')).toBeLessThanOrEqual(from);
  await api.ok(CREATE_POD, { i: POD('after') });
  const head = api.server.store.head();
  expect(head - from).toBeGreaterThan(300); // beyond the window (50) and the backlog bound (100)

  const conn = await rawConnect(api.server.url);
  await conn.init();
  conn.subscribe('w', WATCH, { from });
  const events = () => conn.of('w').filter((m) => m.type === 'next').map((m) => m.payload.data.watch);
  await conn.waitFor(() => events().some((e) => e.revision >= head) || conn.of('w').some((m) => m.type === 'error'));
  expect(conn.of('w').filter((m) => m.type !== 'next')).toEqual([]);
  const expected = (api.db().prepare(`SELECT type, revision, name FROM events WHERE kind = 'Pod' AND revision > ? ORDER BY revision`).all(from) as Array<Record<string, unknown>>).map((r) => ({ ...r }));
  expect(expected.map((e) => e.name)).toEqual(['between', 'after']);
  const got = () => events().filter((e) => e.type !== 'BOOKMARK').map((e) => ({ type: e.type, revision: e.revision, name: e.object.metadata.name }));
  expect(got()).toEqual(expected);
  return { conn, got };
}

describe('a watch catching up from the log', () => {
  let api: TestApi;
  beforeAll(async () => {
    // A Pod window of one event: the watch's Pod events are read from the log.
    api = await startTestApi({ watch: { bookmarkIntervalMs: 200, windowSize: 50, kindWindowSize: 1, maxBacklog: 100 } });
  });
  afterAll(() => api.close());

  it('reads past other kinds and their compaction to deliver exactly its kind', async () => {
    const { conn, got } = await catchUp(api);
    // Then live: the next pod arrives on the same watch.
    await api.ok(CREATE_POD, { i: POD('live') });
    await conn.waitFor(() => got().some((e) => e.name === 'live'));
    expect(got().map((e) => e.name)).toEqual(['between', 'after', 'live']);
    conn.close();
  });
});

describe('a watch catching up from its kind window', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ watch: { bookmarkIntervalMs: 200, windowSize: 50, maxBacklog: 100 } });
  });
  afterAll(() => api.close());

  it('delivers exactly its kind from memory, without reading the log', async () => {
    const reads = vi.spyOn(api.server.store, 'readEvents');
    const { conn, got } = await catchUp(api);
    expect(reads).not.toHaveBeenCalled();
    await api.ok(CREATE_POD, { i: POD('live') });
    await conn.waitFor(() => got().some((e) => e.name === 'live'));
    expect(got().map((e) => e.name)).toEqual(['between', 'after', 'live']);
    conn.close();
  });
});
