import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLogStream } from '../../server/api/audit/log-stream.js';
import { CREATE_POD, POD, startTestApi, type TestApi } from '../support/api.js';
import { wsClient } from '../support/watch-client.js';

const LOG = `subscription($f: AuditFilter, $from: Revision) { log(filter: $f, fromRevision: $from) { revision verb type kind namespace name actor object } }`;

interface Feed {
  entries: any[];
  errors: any[];
  completed: boolean;
  stop(): void;
  until(n: number, ms?: number): Promise<void>;
}

function subscribe(client: Client, variables: Record<string, unknown>): Feed {
  const feed: Feed = {
    entries: [],
    errors: [],
    completed: false,
    stop: () => {},
    async until(n, ms = 10_000) {
      const started = Date.now();
      while (feed.entries.length < n && !feed.errors.length && !feed.completed) {
        if (Date.now() - started > ms) throw new Error(`got ${feed.entries.length} of ${n} entries`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
  feed.stop = client.subscribe<any>(
    { query: LOG, variables },
    {
      next: (msg) => {
        if (msg.errors) feed.errors.push(...msg.errors);
        if (msg.data?.log) feed.entries.push(msg.data.log);
      },
      error: (e: any) => feed.errors.push(...(Array.isArray(e) ? e : [e])),
      complete: () => (feed.completed = true),
    },
  );
  return feed;
}

const revisionsIn = (api: TestApi, where: string) =>
  (api.db().prepare(`SELECT revision FROM events WHERE ${where} ORDER BY revision`).pluck().all() as number[]);

let api: TestApi;
let client: Client;
beforeAll(async () => {
  api = await startTestApi();
  client = wsClient(api.server.url);
  for (const ns of ['log-a', 'log-b']) await api.ok(`mutation($n: String!) { createNamespace(input: { metadata: { name: $n } }) { metadata { name } } }`, { n: ns });
});
afterAll(async () => {
  await client.dispose();
  await api.close();
});

const patch = (ns: string, name: string, v: string) =>
  api.ok(`mutation($ns: String!, $n: String!, $p: JSON!) { patchPod(namespace: $ns, name: $n, patch: $p) { metadata { name } } }`, { ns, n: name, p: { metadata: { labels: { v } } } });

describe('the log subscription', () => {
  it('streams the matching events of the log as it grows, in order, from now', async () => {
    const feed = subscribe(client, { f: { namespace: 'log-b' } });
    await new Promise((r) => setTimeout(r, 200));
    const start = (await api.ok('{ revision }')).revision;
    for (let i = 0; i < 6; i++) await api.ok(CREATE_POD, { i: POD(`live-${i}`, { namespace: i % 2 ? 'log-b' : 'log-a' }) });
    await patch('log-b', 'live-1', 'x');
    await api.ok(`mutation { deletePod(namespace: "log-b", name: "live-3") { metadata { name } } }`);
    const expected = revisionsIn(api, `namespace = 'log-b' AND revision > ${start}`);
    expect(expected.length).toBe(5);
    await feed.until(expected.length);
    await new Promise((r) => setTimeout(r, 100));
    expect(feed.errors).toEqual([]);
    expect(feed.entries.map((e) => e.revision)).toEqual(expected);
    expect(feed.entries.map((e) => [e.verb, e.type, e.name])).toEqual([
      ['create', 'ADDED', 'live-1'],
      ['create', 'ADDED', 'live-3'],
      ['create', 'ADDED', 'live-5'],
      ['patch', 'MODIFIED', 'live-1'],
      ['delete', 'DELETED', 'live-3'],
    ]);
    expect(feed.entries[3].object.metadata.labels).toEqual({ v: 'x' });
    feed.stop();
  });

  it('resumes from a revision: every matching event after it (catch-up from the log, in pages), then live ones, no gap, no duplicate', async () => {
    const from = (await api.ok('{ revision }')).revision;
    for (let i = 0; i < 30; i++) await api.ok(CREATE_POD, { i: POD(`r-${i}`, { namespace: 'log-a', labels: { n: String(i) } }) });
    const feed = subscribe(client, { f: { kind: 'Pod', namespace: 'log-a' }, from });
    await feed.until(30);
    for (let i = 0; i < 10; i++) await patch('log-a', `r-${i}`, 'y');
    await patch('log-b', 'live-1', 'z'); // not matching
    const expected = revisionsIn(api, `kind = 'Pod' AND namespace = 'log-a' AND revision > ${from}`);
    await feed.until(expected.length);
    await new Promise((r) => setTimeout(r, 100));
    expect(feed.entries.map((e) => e.revision)).toEqual(expected);
    expect(feed.errors).toEqual([]);
    feed.stop();
  });

  it('completes once the log passes the filter toRevision', async () => {
    const head = (await api.ok('{ revision }')).revision;
    const feed = subscribe(client, { f: { fromRevision: head - 4, toRevision: head - 1 }, from: 0 });
    await feed.until(4);
    for (let i = 0; i < 50 && !feed.completed; i++) await new Promise((r) => setTimeout(r, 10));
    expect(feed.entries.map((e) => e.revision)).toEqual([head - 4, head - 3, head - 2, head - 1]);
    expect(feed.completed).toBe(true);
  });

  it('refuses fromRevision above the head (BAD_USER_INPUT) and below the floor (EXPIRED)', async () => {
    const head = (await api.ok('{ revision }')).revision;
    const above = subscribe(client, { from: head + 100 });
    for (let i = 0; i < 200 && !above.errors.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(above.errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'fromRevision' });

    api.server.store.compact(head - 5);
    const below = subscribe(client, { from: head - 10 });
    for (let i = 0; i < 200 && !below.errors.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(below.errors[0]?.extensions).toMatchObject({ code: 'EXPIRED' });
    // At the floor itself everything after it is still held.
    const at = subscribe(client, { from: head - 5 });
    await at.until(5);
    expect(at.entries.map((e) => e.revision)).toEqual([head - 4, head - 3, head - 2, head - 1, head]);
    at.stop();
  });

  it('ends a consumer that lets its bounded buffer overflow with SLOW_CONSUMER, and one overtaken by compaction with EXPIRED', async () => {
    const store = api.server.store;
    const slow = openLogStream(store, { namespace: 'log-a' }, undefined, { maxBuffer: 10 });
    const first = slow.next(); // turns live
    await patch('log-a', 'r-0', 'a');
    expect((await first).value.name).toBe('r-0');
    for (let i = 0; i < 12; i++) await patch('log-a', `r-${i}`, 'b');
    await expect(slow.next()).rejects.toMatchObject({ code: 'SLOW_CONSUMER' });
    expect((await slow.next()).done).toBe(true);

    const behind = store.head();
    const lagging = openLogStream(store, {}, behind, { pageSize: 2 });
    for (let i = 0; i < 6; i++) await patch('log-a', `r-${i}`, 'c');
    expect((await lagging.next()).value.revision).toBe(behind + 1);
    store.compact(store.head() - 1);
    await expect((async () => { for (;;) await lagging.next(); })()).rejects.toMatchObject({ code: 'EXPIRED' });
  });
});
