import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotTables, startTestApi, type TestApi } from '../support/api.js';
import { rawConnect } from '../support/raw-ws.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ limits: { bodyBytes: 64 * 1024, subscriptionsPerConnection: 3 } });
});
afterAll(() => api.close());

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(api.server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${api.token}`, ...headers }, body });

describe('limits', () => {
  const nest = (depth: number) => `{ pods { edges { node { metadata { name } ${'owner { ... on Pod { '.repeat(depth)}metadata { name }${' } }'.repeat(depth)} } } } }`;

  it.each([
    ['depth', nest(12)],
    ['aliases', `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: revision`).join(' ')} }`],
    ['tokens', `{ ${'revision '.repeat(5001)} }`],
  ])('too much %s is TOO_COMPLEX, over HTTP and over WebSocket, and writes nothing', async (_what, query) => {
    const before = snapshotTables(api.db());
    const res = await api.gql(query);
    expect(res.errors?.[0].extensions?.code).toBe('TOO_COMPLEX');
    const conn = await rawConnect(api.server.url);
    await conn.init();
    conn.subscribe('q', query);
    await conn.waitFor(() => conn.of('q').length > 0);
    expect(conn.of('q')[0].payload[0].extensions.code).toBe('TOO_COMPLEX');
    conn.close();
    expect(snapshotTables(api.db())).toBe(before);
  });

  it('an oversized body is PAYLOAD_TOO_LARGE with HTTP 413', async () => {
    const big = JSON.stringify({ query: 'mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }', variables: { i: { metadata: { name: 'big', annotations: { a: 'x'.repeat(70 * 1024) } } } } });
    const res = await post(big);
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a GET without the CSRF header is refused; a JSON POST needs none', async () => {
    const res = await fetch(`${api.server.url}?query=${encodeURIComponent('{ revision }')}`, { headers: { authorization: `Bearer ${api.token}`, accept: 'application/json' } });
    expect(res.status).toBe(403);
    expect((await post(JSON.stringify({ query: '{ revision }' }))).status).toBe(200);
  });

  it('GraphiQL is served without a token', async () => {
    const res = await fetch(api.server.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/graphiql/i);
  });

  it('a connection may run a bounded number of operations at once', async () => {
    const conn = await rawConnect(api.server.url);
    await conn.init();
    for (const id of ['1', '2', '3', '4']) conn.subscribe(id, 'subscription { watch(kind: Pod) { type } }');
    await conn.waitFor(() => conn.of('4').length > 0);
    expect(conn.of('4')[0]).toMatchObject({ type: 'error' });
    expect(conn.of('4')[0].payload[0].extensions.code).toBe('RATE_LIMITED');
    conn.close();
  });
});

describe('rate limit per identity', () => {
  it('answers RATE_LIMITED with HTTP 429 past the rate', async () => {
    const limited = await startTestApi({ limits: { requestsPerSecond: 5, burst: 5 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await fetch(limited.server.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${limited.token}` }, body: JSON.stringify({ query: '{ revision }' }) });
        statuses.push(res.status);
        if (res.status === 429) expect(((await res.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
        else await res.json();
      }
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(statuses).toContain(429);
    } finally {
      await limited.close();
    }
  });
});
