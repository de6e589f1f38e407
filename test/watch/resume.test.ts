/**
 * Resuming a watch: a watcher whose connection is cut mid-stream (socket terminated, or client
 * disposed) while writers run resumes on a new connection from the last revision it received, and
 * the pieces together are exactly its filtered log. Also when the resume point has left the
 * in-memory window (windowSize 50): the engine catches up from the log.
 */
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { expectedStream, firstDifference, orderProblem, readLog, type WatchSpec } from '../support/watch-log.js';
import { record, trackedClient, type Recording, type TrackedClient } from '../support/watch-recorder.js';
import { startWriters } from '../support/watch-writers.js';

const NAMESPACES = ['ns-a', 'ns-b'];
const NODES = ['node-1', 'node-2'];
const SPEC: WatchSpec = {
  kind: 'Pod',
  labelSelector: 'app in (web,cache)',
  matches: (o) => ['web', 'cache'].includes(o.metadata.labels?.app),
};
/** Every pod: with pods-only writers, a watcher that must see every event (a skipped one cannot hide behind the selector). */
const ALL: WatchSpec = { kind: 'Pod', matches: () => true };
const vars = (from: number, spec = SPEC) => ({ kind: spec.kind, ls: spec.labelSelector, from });

async function setup(api: TestApi): Promise<void> {
  for (const name of NAMESPACES) await api.ok(`mutation($i: NamespaceInput!) { createNamespace(input: $i) { metadata { name } } }`, { i: { metadata: { name } } });
}

const lastRevision = (r: Recording) => r.events.at(-1)!.revision;
const waitFor = async (predicate: () => boolean, ms = 20_000) => {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > ms) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

/** Cuts the client's connection (terminate: abrupt, as a network failure; dispose: a clean close) and waits until its socket is closed. */
async function cut(c: TrackedClient, how: 'terminate' | 'dispose'): Promise<void> {
  const socket = c.sockets.at(-1)!;
  const closed = once(socket, 'close');
  if (how === 'terminate') socket.terminate();
  else void c.client.dispose();
  await closed;
}

function checkPieces(api: TestApi, pieces: Recording[], from: number, head: number, spec = SPEC): void {
  const all = pieces.flatMap((p) => p.changes());
  expect(orderProblem(pieces.flatMap((p) => p.events)), 'revisions strictly increase across the pieces').toBeUndefined();
  const expected = expectedStream(readLog(api.db()), spec, from, head);
  expect(expected.length).toBeGreaterThan(100);
  expect(firstDifference(all, expected)).toBeUndefined();
}

describe('resume after a cut connection', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
    await setup(api);
  });
  afterAll(() => api.close());

  it('cut twice mid-stream (terminated socket, disposed client), resumed each time from the last revision received: the pieces are the filtered log', async () => {
    const from = api.server.store.head();
    const total = 20 * 100;
    const writers = startWriters(api.gql, { writers: 20, opsPerWriter: 100, namespaces: NAMESPACES, nodes: NODES, seed: 11 });

    const first = trackedClient(api.server.url);
    const a = record(first.client, vars(from));
    await a.until((e) => e.length >= 100);
    expect(writers.count()).toBeLessThan(total); // the cut is mid-stream, writers still running
    await cut(first, 'terminate');
    await waitFor(() => a.ended && a.errors.length > 0, 5000); // the client saw its connection fail

    const second = trackedClient(api.server.url);
    const b = record(second.client, vars(lastRevision(a)));
    await b.until((e) => e.length >= 100);
    expect(writers.count()).toBeLessThan(total);
    await cut(second, 'dispose');

    const third = trackedClient(api.server.url);
    const c = record(third.client, vars(lastRevision(b)));
    await writers.done;
    const head = api.server.store.head();
    await c.reached(head);

    checkPieces(api, [a, b, c], from, head);
    c.stop();
    await third.client.dispose();
  }, 120_000);
});

describe('resume from outside the in-memory window (windowSize 50)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ watch: { bookmarkIntervalMs: 200, windowSize: 50 } });
    await setup(api);
  });
  afterAll(() => api.close());

  it('a watch from a revision more than a log page behind catches up from the log, then goes live', async () => {
    const from = api.server.store.head();
    await startWriters(api.gql, { writers: 20, opsPerWriter: 70, namespaces: NAMESPACES, nodes: NODES, seed: 12, serviceShare: 0 }).done;
    const behind = api.server.store.head() - from;
    expect(behind).toBeGreaterThan(1000); // more than one page of the log, far beyond the window

    const client = trackedClient(api.server.url);
    const w = record(client.client, vars(from));
    const all = record(client.client, vars(from, ALL));
    // Writers again while they catch up, so they must join the live stream without a gap or a duplicate.
    await startWriters(api.gql, { writers: 5, opsPerWriter: 60, namespaces: NAMESPACES, nodes: NODES, seed: 13, prefix: 'late', serviceShare: 0 }).done;
    const head = api.server.store.head();
    await Promise.all([w.reached(head), all.reached(head)]);
    checkPieces(api, [w], from, head);
    checkPieces(api, [all], from, head, ALL);
    w.stop();
    all.stop();
    await client.client.dispose();
  }, 120_000);

  it('a watcher cut mid-stream resumes after the window has moved past its revision', async () => {
    const from = api.server.store.head();
    const writers = startWriters(api.gql, { writers: 10, opsPerWriter: 100, namespaces: NAMESPACES, nodes: NODES, seed: 14, prefix: 'cut' });
    const first = trackedClient(api.server.url);
    const a = record(first.client, vars(from));
    await a.until((e) => e.length >= 50);
    await cut(first, 'terminate');
    const resumeFrom = lastRevision(a);
    await waitFor(() => api.server.store.head() - resumeFrom > 200); // the window (50) no longer reaches back to it
    expect(writers.count()).toBeLessThan(1000); // still writing

    const second = trackedClient(api.server.url);
    const b = record(second.client, vars(resumeFrom));
    await writers.done;
    const head = api.server.store.head();
    await b.reached(head);
    checkPieces(api, [a, b], from, head);
    b.stop();
    await second.client.dispose();
  }, 120_000);
});
