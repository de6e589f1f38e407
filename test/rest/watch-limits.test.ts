/**
 * Bounds of the REST API's door: a watch whose HTTP reader stops reading is held back by the
 * socket and then ended (the server never buffers for it without bound); what it received is the
 * log in order with no gap, so it can resume; the rate limit answers 429 TooManyRequests.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { eventually } from '../support/kubectl.js';

let api: TestApi;
let base: string;

beforeAll(async () => {
  api = await startTestApi({ watch: { maxBacklog: 50, bookmarkIntervalMs: 200 }, limits: { requestsPerSecond: 2000, burst: 4000 } });
  base = `http://127.0.0.1:${api.server.port}`;
});
afterAll(async () => {
  await api?.close();
});

const post = (body: unknown) =>
  fetch(`${base}/api/v1/namespaces/default/pods`, { method: 'POST', headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function podWatchers(): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('kubeql_watchers{kind="Pod"}'));
  return Number(line?.split(' ')[1] ?? NaN);
}

describe('watch back-pressure', () => {
  it('ends a watch whose reader stopped reading, after what it could take; what it got is the log in order', async () => {
    const from = api.server.store.head();
    const socket = connect(api.server.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`GET /api/v1/namespaces/default/pods?watch=1&resourceVersion=${from} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${api.token}\r\n\r\n`);
    socket.pause(); // the reader stops reading
    await eventually(async () => expect(await podWatchers()).toBe(1));
    const big = 'x'.repeat(60_000);
    for (let i = 0; i < 300; i++) {
      const res = await post({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, annotations: { big } }, spec: { containers: [{ name: 'c', image: 'i' }] } });
      expect(res.status).toBe(201);
    }
    // The watcher fell more than 50 events behind: the engine ended it.
    await eventually(async () => expect(await podWatchers()).toBe(0));
    // What was sent before the end: whole events, the log's first ones, in order, then the end of the stream.
    let raw = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (raw += d));
    socket.resume();
    await eventually(() => expect(raw).toMatch(/\r\n0\r\n\r\n$/), 20_000);
    socket.destroy();
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4).replace(/\r\n[0-9a-f]+\r\n/g, '').replace(/^[0-9a-f]+\r\n/, '');
    const events = body.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(events.length).toBeGreaterThan(0);
    expect(events.length).toBeLessThan(300);
    const revisions = events.map((e) => Number(e.object.metadata.resourceVersion));
    const log = (api.db().prepare(`SELECT revision FROM events WHERE revision > ? ORDER BY revision LIMIT ?`).all(from, events.length) as Array<{ revision: number }>).map((r) => r.revision);
    expect(revisions).toEqual(log);
  });
});

describe('compaction under a lagging watch', () => {
  it('ends it with an ERROR event carrying a 410 Expired Status, after the events it could still be sent', async () => {
    const small = await startTestApi({ watch: { windowSize: 5, maxBacklog: 1_000_000 } });
    try {
      const from = small.server.store.head();
      const socket = connect(small.server.port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(`GET /api/v1/namespaces/default/pods?watch=1&resourceVersion=${from} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${small.token}\r\n\r\n`);
      socket.pause();
      const big = 'x'.repeat(60_000);
      for (let i = 0; i < 200; i++) {
        const res = await fetch(`http://127.0.0.1:${small.server.port}/api/v1/namespaces/default/pods`, {
          method: 'POST',
          headers: { authorization: `Bearer ${small.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, annotations: { big } }, spec: { containers: [{ name: 'c', image: 'i' }] } }),
        });
        expect(res.status).toBe(201);
      }
      // Everything the watcher has not been sent is compacted away under it.
      small.server.store.compact(small.server.store.head());
      let raw = '';
      socket.setEncoding('latin1');
      socket.on('data', (d: string) => (raw += d));
      socket.resume();
      await eventually(() => expect(raw).toMatch(/\r\n0\r\n\r\n$/), 20_000);
      socket.destroy();
      const body = raw.slice(raw.indexOf('\r\n\r\n') + 4).replace(/\r\n[0-9a-f]+\r\n/g, '').replace(/^[0-9a-f]+\r\n/, '');
      const events = body.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      expect(events.length).toBeLessThan(201);
      expect(events.slice(0, -1).every((e) => e.type === 'ADDED')).toBe(true);
      expect(events.at(-1)).toMatchObject({ type: 'ERROR', object: { kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 } });
    } finally {
      await small.close();
    }
  });
});

describe('rate limit', () => {
  it('answers 429 TooManyRequests with Retry-After past the rate, as a Status', async () => {
    const limited = await startTestApi({ limits: { requestsPerSecond: 1, burst: 3 } });
    try {
      const url = `http://127.0.0.1:${limited.server.port}/api/v1/namespaces`;
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 6; i++) {
        last = await fetch(url, { headers: { authorization: `Bearer ${limited.token}` } });
        statuses.push(last.status);
        if (last.status === 429) break;
      }
      expect(statuses.at(-1)).toBe(429);
      expect(last!.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await last!.json()).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429 });
    } finally {
      await limited.close();
    }
  });
});
