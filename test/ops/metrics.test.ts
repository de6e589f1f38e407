/**
 * /metrics before and after a known workload: request latency counts per verb, kind and code,
 * events appended, append batches, the head, over HTTP and over WebSocket; watchers per kind,
 * open subscriptions and the watch backlog while watches run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CREATE_POD, POD, startTestApi, type TestApi } from '../support/api.js';
import { changed, delta, sample, scrape } from '../support/prometheus.js';
import { eventually } from '../support/processes.js';
import { tokenFor } from '../support/tokens.js';
import { collect, wsClient } from '../support/watch-client.js';

const PATCH = `mutation($n: String!, $p: JSON!) { patchPod(namespace: "default", name: $n, patch: $p) { metadata { resourceVersion } } }`;
const REQ = 'kubeql_request_duration_seconds';

let api: TestApi;
let base: string;
beforeAll(async () => {
  api = await startTestApi();
  base = api.server.url;
});
afterAll(() => api.close());

describe('/metrics', () => {
  it('is Prometheus text, open without a token, with the metrics of DESIGN §7', async () => {
    const res = await fetch(new URL('/metrics', base));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    for (const name of [
      'kubeql_log_head_revision',
      'kubeql_log_floor_revision',
      REQ,
      'kubeql_events_appended_total',
      'kubeql_append_duration_seconds',
      'kubeql_database_size_bytes',
      'kubeql_wal_size_bytes',
      'kubeql_watchers',
      'kubeql_watch_backlog_events',
      'kubeql_watch_slow_consumer_terminations_total',
      'kubeql_subscriptions',
    ])
      expect(text).toContain(`# TYPE ${name} `);
    const samples = await scrape(base);
    expect(sample(samples, 'kubeql_log_head_revision')).toBe(api.server.store.head());
    expect(sample(samples, 'kubeql_database_size_bytes')).toBeGreaterThan(0);
    expect(sample(samples, 'kubeql_watchers', { kind: 'Pod' })).toBe(0);
  });

  it('moves by exactly a known workload: 7 creates, 3 patches, 2 creates refused with ALREADY_EXISTS', async () => {
    const before = await scrape(base);
    const head = api.server.store.head();
    for (let i = 0; i < 7; i++) await api.ok(CREATE_POD, { i: POD(`m-${i}`) });
    for (let i = 0; i < 3; i++) await api.ok(PATCH, { n: `m-${i}`, p: { metadata: { labels: { patched: 'yes' } } } });
    for (let i = 0; i < 2; i++) expect((await api.gql(CREATE_POD, { i: POD(`m-${i}`) })).errors?.[0].extensions?.code).toBe('ALREADY_EXISTS');
    const after = await scrape(base);

    const create = { verb: 'create', kind: 'Pod', code: 'OK' };
    const patch = { verb: 'patch', kind: 'Pod', code: 'OK' };
    const exists = { verb: 'create', kind: 'Pod', code: 'ALREADY_EXISTS' };
    // Each request counted once, under its verb, kind and code, and nothing else counted.
    expect(changed(before, after, `${REQ}_count`)).toEqual({
      [`${REQ}_count{code="OK",kind="Pod",verb="create"}`]: 7,
      [`${REQ}_count{code="OK",kind="Pod",verb="patch"}`]: 3,
      [`${REQ}_count{code="ALREADY_EXISTS",kind="Pod",verb="create"}`]: 2,
    });
    for (const [labels, n] of [[create, 7], [patch, 3], [exists, 2]] as const) {
      expect(delta(before, after, `${REQ}_bucket`, { ...labels, le: '+Inf' })).toBe(n);
      expect(delta(before, after, `${REQ}_sum`, labels)).toBeGreaterThan(0);
    }
    expect(changed(before, after, 'kubeql_events_appended_total')).toEqual({
      'kubeql_events_appended_total{kind="Pod",verb="create"}': 7,
      'kubeql_events_appended_total{kind="Pod",verb="patch"}': 3,
    });
    expect(delta(before, after, 'kubeql_log_head_revision')).toBe(10);
    expect(sample(after, 'kubeql_log_head_revision')).toBe(head + 10);
    // One request at a time: each write is a group-commit batch of its own, refused ones included.
    expect(delta(before, after, 'kubeql_append_duration_seconds_count')).toBe(12);
    expect(delta(before, after, 'kubeql_append_batch_writes_sum')).toBe(12);
    // Reads, bad documents and bad variables are counted too, with their own labels and codes.
    const reads = await scrape(base);
    await api.ok(`{ pods(namespace: "default") { revision } }`);
    await api.ok(`query($n: String!) { pod(namespace: "default", name: $n) { metadata { name } } }`, { n: 'm-0' });
    await api.gql(`{ pods(namespace: "default") { revisio } }`);
    await api.gql(`{ pods(`);
    await api.gql(`query($n: Int) { pods(namespace: "default", first: $n) { revision } }`, { n: 'many' });
    expect(changed(reads, await scrape(base), `${REQ}_count`)).toEqual({
      [`${REQ}_count{code="OK",kind="Pod",verb="list"}`]: 1,
      [`${REQ}_count{code="OK",kind="Pod",verb="get"}`]: 1,
      [`${REQ}_count{code="GRAPHQL_VALIDATION_FAILED",kind="Pod",verb="list"}`]: 1,
      [`${REQ}_count{code="GRAPHQL_PARSE_FAILED",kind="",verb="unknown"}`]: 1,
      [`${REQ}_count{code="BAD_USER_INPUT",kind="Pod",verb="list"}`]: 1,
    });
  });

  it('counts requests over WebSocket too, and shows watchers, subscriptions and the backlog of a resuming watch', async () => {
    const client = wsClient(base);
    try {
      const before = await scrape(base);
      // A query over the WebSocket (the same envelop pipeline as HTTP).
      await api.ok(CREATE_POD, { i: POD('over-ws') });
      const read = await new Promise<any>((resolve, reject) => {
        let result: any;
        client.subscribe({ query: `{ pod(namespace: "default", name: "over-ws") { metadata { name } } }` }, { next: (r) => (result = r), error: reject, complete: () => resolve(result) });
      });
      expect(read.data.pod.metadata.name).toBe('over-ws');
      for (let i = 0; i < 5; i++) await api.ok(PATCH, { n: 'over-ws', p: { metadata: { labels: { n: String(i) } } } });
      const head = api.server.store.head();

      // A live watch, and a watch resuming 5 events back: its backlog is observed once, as 5.
      const live = collect(client, { kind: 'Pod', ns: 'default' });
      const resumed = collect(client, { kind: 'Pod', ns: 'default', from: head - 5 });
      await live.until((events) => events.some((e) => e.type === 'BOOKMARK'));
      await resumed.until((events) => events.length >= 5);
      const refused = collect(client, { kind: 'Pod', from: head + 100 });
      await eventually(() => refused.errors.length > 0, 5000);
      expect(refused.errors[0].extensions?.code).toBe('BAD_USER_INPUT');

      const during = await scrape(base);
      expect(changed(before, during, `${REQ}_count`)).toEqual({
        [`${REQ}_count{code="OK",kind="Pod",verb="create"}`]: 1,
        [`${REQ}_count{code="OK",kind="Pod",verb="get"}`]: 1,
        [`${REQ}_count{code="OK",kind="Pod",verb="patch"}`]: 5,
        [`${REQ}_count{code="OK",kind="Pod",verb="watch"}`]: 2,
        [`${REQ}_count{code="BAD_USER_INPUT",kind="Pod",verb="watch"}`]: 1,
      });
      expect(sample(during, 'kubeql_watchers', { kind: 'Pod' })).toBe(2);
      expect(sample(during, 'kubeql_watchers', { kind: 'Node' })).toBe(0);
      expect(sample(during, 'kubeql_subscriptions')).toBe(2);
      expect(sample(during, 'kubeql_websocket_connections')).toBe(1);
      expect(delta(before, during, 'kubeql_watch_backlog_events_count')).toBe(1);
      expect(delta(before, during, 'kubeql_watch_backlog_events_sum')).toBe(5);

      live.stop();
      resumed.stop();
      await eventually(async () => {
        const s = await scrape(base);
        return sample(s, 'kubeql_watchers', { kind: 'Pod' }) === 0 && sample(s, 'kubeql_subscriptions') === 0;
      }, 5000);
    } finally {
      await client.dispose();
    }
  });
});

describe('a watcher that stops reading', () => {
  it('is counted as a slow-consumer termination, with its backlog', async () => {
    const small = await startTestApi({ watch: { bookmarkIntervalMs: 200, maxBacklog: 50, windowSize: 100 } });
    const padding = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 4; i++) await small.ok(CREATE_POD, { i: { ...POD(`big-${i}`), metadata: { name: `big-${i}`, annotations: { padding } } } });
    const before = await scrape(small.server.url);
    const socket = new WebSocket(small.server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    try {
      const messages: any[] = [];
      socket.on('message', (data) => messages.push(JSON.parse(String(data))));
      await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
      const token = tokenFor(small.server.url);
      socket.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} }));
      await eventually(() => messages.some((m) => m.type === 'connection_ack'), 5000);
      socket.send(JSON.stringify({ type: 'subscribe', id: 'slow', payload: { query: `subscription { watch(kind: Pod, namespace: "default") { revision object { ... on Pod { manifest } } } }` } }));
      await eventually(async () => sample(await scrape(small.server.url), 'kubeql_watchers', { kind: 'Pod' }) === 1, 5000);
      socket.pause(); // stops reading: the kernel's buffers fill, then the server's

      let moved = false;
      for (let n = 0; n < 3000 && !moved; n += 8) {
        await Promise.all(Array.from({ length: 8 }, (_, j) => small.ok(PATCH, { n: `big-${j % 4}`, p: { metadata: { labels: { seq: String(n + j) } } } })));
        if (n % 80 === 0) moved = delta(before, await scrape(small.server.url), 'kubeql_watch_slow_consumer_terminations_total') > 0;
      }
      await eventually(async () => delta(before, await scrape(small.server.url), 'kubeql_watch_slow_consumer_terminations_total') === 1, 5000);
      const after = await scrape(small.server.url);
      expect(sample(after, 'kubeql_watchers', { kind: 'Pod' })).toBe(0);
      // Observed when it was ended: more than the bound behind.
      expect(delta(before, after, 'kubeql_watch_backlog_events_count')).toBeGreaterThanOrEqual(1);
      expect(delta(before, after, 'kubeql_watch_backlog_events_sum')).toBeGreaterThan(50);
      socket.resume();
      await eventually(() => messages.some((m) => m.id === 'slow' && m.type === 'error' && m.payload[0].extensions.code === 'SLOW_CONSUMER'), 10_000);
    } finally {
      socket.terminate();
      await small.close();
    }
  }, 60_000);
});
