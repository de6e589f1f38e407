/**
 * The lean node:http path for POST /graphql with a JSON body (server/api/http/fast-json-post.ts,
 * yoga's public getEnveloped) answers exactly as yoga's own node handler: each request is sent as the fast path takes it
 * (Content-Length, `Accept: application/json`) and as it does not (the same body, chunked), and
 * the two answers must have the same status, headers and body. The routing itself is checked
 * against a yoga whose node handler counts what reaches it.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withFastJsonPost } from '../../server/api/http/fast-json-post.js';
import { CREATE_POD, POD, snapshotTables, startTestApi, type TestApi } from '../support/api.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw HTTP request; `chunked` sends the body without Content-Length. */
function send(url: string, body: string, headers: Record<string, string | undefined>, chunked: boolean): Promise<Answer> {
  const target = new URL(url);
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) all[k] = v;
  if (chunked) all['transfer-encoding'] = 'chunked';
  else all['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: all, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const { date: _date, connection: _connection, ...rest } = res.headers;
        resolve({ status: res.statusCode!, headers: rest, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (chunked) {
      // Two chunks, so the body really arrives in pieces.
      req.write(body.slice(0, Math.ceil(body.length / 2)));
      req.end(body.slice(Math.ceil(body.length / 2)));
    } else {
      req.end(body);
    }
  });
}

describe('the fast path answers as yoga does', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
    await api.ok(CREATE_POD, { i: POD('existing') });
  });
  afterAll(() => api.close());

  const json = (query: string, variables?: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ query, variables, ...extra });
  const podNamed = (name: string, spec: Record<string, unknown> = { containers: [{ name: 'c', image: 'i' }] }) => ({ metadata: { name }, spec });

  // [what, body, extra headers, how the control request avoids the fast path (default: a chunked
  // body)]; bodies that write use $NAME, replaced by a name per variant.
  const cases: Array<[string, string, Record<string, string | undefined>?, ('chunked' | 'accept-any')?]> = [
    ['a query', json('{ revision }')],
    ['a create', json(CREATE_POD, { i: podNamed('$NAME') })],
    ['a create with Kubernetes fields Kubeql does not act on (warnings)', json(CREATE_POD, { i: podNamed('$NAME', { containers: [{ name: 'c', image: 'i', stdin: true }], hostAliases: [] }) })],
    ['a create with a field Kubernetes does not declare (BAD_USER_INPUT)', json(CREATE_POD, { i: podNamed('$NAME', { containers: [{ name: 'c', image: 'i', extra: 1 }] }) })],
    ['ALREADY_EXISTS', json(CREATE_POD, { i: POD('existing') })],
    ['BAD_USER_INPUT with its field', json(CREATE_POD, { i: podNamed('bad', { containers: [] }) })],
    ['NOT_FOUND', json(`{ pod(namespace: "default", name: "ghost") { metadata { name } } }`)],
    ['a variable missing', json(CREATE_POD, {})],
    ['a variable of the wrong type', json(`query($r: Revision) { pods(atRevision: $r) { revision } }`, { r: 'abc' })],
    ['GRAPHQL_PARSE_FAILED', json('{ pods( }')],
    ['GRAPHQL_VALIDATION_FAILED', json('{ pods { nope } }')],
    ['TOO_COMPLEX', json(`{ ${Array.from({ length: 40 }, (_, i) => `a${i}: revision`).join(' ')} }`)],
    ['an operation chosen by name', json('query A { revision } query B { revision }', undefined, { operationName: 'B' })],
    ['no operation name among two', json('query A { revision } query B { revision }')],
    ['an unknown operation name', json('query A { revision }', undefined, { operationName: 'C' })],
    ['invalid JSON', '{"query": '],
    ['a JSON string', '"{ revision }"'],
    ['null', 'null'],
    ['a batch', JSON.stringify([{ query: '{ revision }' }])],
    ['no query', JSON.stringify({ variables: {} })],
    ['a query that is not a string', JSON.stringify({ query: 5 })],
    ['an unexpected parameter', JSON.stringify({ query: '{ revision }', other: 1 })],
    ['variables that are a list', JSON.stringify({ query: '{ revision }', variables: [1] })],
    ['a subscription over HTTP', json('subscription { watch(kind: Pod) { type } }')],
    ['no token', json('{ revision }'), { authorization: undefined }],
    ['a bad token', json('{ revision }'), { authorization: 'Bearer nope' }],
    ['a browser origin (CORS)', json('{ revision }'), { origin: 'http://example.com' }],
    ['Accept: application/graphql-response+json', json('{ pods { nope } }'), { accept: 'application/graphql-response+json' }],
    ['a charset in Content-Type', json('{ revision }'), { 'content-type': 'application/json; charset=utf-8' }],
    // The body limit reads Content-Length, so the control keeps it and asks for */* instead.
    ['a body over the limit (PAYLOAD_TOO_LARGE)', json('{ revision }', undefined, { extensions: { pad: 'x'.repeat(3.5 * 1024 * 1024) } }), {}, 'accept-any'],
  ];

  it.each(cases)('%s', async (_what, body, extra = {}, control = 'chunked') => {
    const headers = { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${api.token}`, ...extra };
    const before = snapshotTables(api.db());
    const writes = body.includes('$NAME');
    const fast = await send(api.server.url, body.replace('$NAME', 'fast'), headers, false);
    const slow =
      control === 'chunked'
        ? await send(api.server.url, body.replace('$NAME', 'slow'), headers, true)
        : await send(api.server.url, body.replace('$NAME', 'slow'), { ...headers, accept: '*/*' }, false);
    // The same answer, up to the name and what the server assigns (whose length may differ).
    const same = (a: Answer, name: string) => ({
      ...a,
      headers: { ...a.headers, 'content-length': a.headers['content-length'] === undefined ? undefined : Number(a.headers['content-length']) === Buffer.byteLength(a.body) },
      body: a.body
        .replaceAll(name, 'NAME')
        .replace(/"uid":"[^"]+"/g, '"uid":"U"')
        .replace(/"resourceVersion":"\d+"/g, '"resourceVersion":"N"')
        .replace(/"revision":\d+/g, '"revision":N'),
    });
    expect(same(fast, 'fast')).toEqual(same(slow, 'slow'));
    if (!writes) expect(snapshotTables(api.db())).toBe(before);
  });

  it('a create through the fast path is in the log, by the authenticated actor', async () => {
    const fast = await send(api.server.url, json(CREATE_POD, { i: POD('stored-fast', { labels: { a: 'b' } }) }), { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${api.token}` }, false);
    expect(fast.status).toBe(200);
    expect(JSON.parse(fast.body).data.createPod.metadata.name).toBe('stored-fast');
    const rows = api.db().prepare(`SELECT name, actor, verb, type FROM events WHERE name = 'stored-fast'`).all();
    expect(rows).toEqual([{ name: 'stored-fast', actor: 'admin', verb: 'create', type: 'ADDED' }]);
  });
});

describe('what the fast path takes', () => {
  let server: http.Server;
  let url: string;
  let reachedYoga = 0;

  beforeAll(async () => {
    const yoga = createYoga({
      schema: createSchema({ typeDefs: 'type Query { hello: String } type Mutation { echo(s: String!): String }', resolvers: { Query: { hello: () => 'world' }, Mutation: { echo: (_: unknown, a: { s: string }) => a.s } } }),
      logging: false,
    });
    // yoga's node handler, counting the requests that reach it.
    const counted = new Proxy(yoga, {
      apply(target, self, args) {
        reachedYoga++;
        return Reflect.apply(target, self, args);
      },
    });
    server = http.createServer(withFastJsonPost(counted));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const body = JSON.stringify({ query: 'mutation { echo(s: "x") }' });
  const json = { 'content-type': 'application/json', accept: 'application/json' };

  // [what, body, headers, chunked, taken by the fast path]
  const routes: Array<[string, string, Record<string, string>, boolean, boolean]> = [
    ['POST JSON asking for JSON', body, json, false, true],
    // yoga answers these with other statuses (400 for a request error): they stay with it.
    ['asking for application/graphql-response+json', body, { ...json, accept: 'application/graphql-response+json' }, false, false],
    ['asking for both JSON types', body, { ...json, accept: 'application/graphql-response+json, application/json' }, false, false],
    ['with a charset', body, { ...json, 'content-type': 'application/json; charset=utf-8' }, false, true],
    ['invalid JSON (yoga words the error)', '{"query":', json, false, true],
    ['without Accept', body, { 'content-type': 'application/json' }, false, false],
    ['asking for anything', body, { ...json, accept: '*/*' }, false, false],
    ['asking for server-sent events', body, { ...json, accept: 'text/event-stream' }, false, false],
    ['asking for multipart', body, { ...json, accept: 'multipart/mixed, application/json' }, false, false],
    ['a chunked body', body, json, true, false],
    ['a body of another type', 'mutation { echo(s: "x") }', { ...json, 'content-type': 'application/graphql' }, false, false],
    ['a body over 4 MiB', JSON.stringify({ query: '{ hello }', extensions: { pad: 'x'.repeat(4 * 1024 * 1024) } }), json, false, false],
  ];

  it.each(routes)('%s', async (_what, payload, headers, chunked, fast) => {
    const before = reachedYoga;
    const answer = await send(url, payload, headers, chunked);
    expect(answer.status).toBeLessThan(500);
    expect(reachedYoga - before).toBe(fast ? 0 : 1);
  });

  it('anything but POST /graphql goes to yoga', async () => {
    const before = reachedYoga;
    const res = await fetch(url.replace('/graphql', '/graphql?x=1'), { method: 'POST', headers: json, body });
    expect(res.status).toBe(200);
    await fetch(`${url}?query=${encodeURIComponent('{ hello }')}`, { headers: { accept: 'application/json' } });
    expect(reachedYoga - before).toBe(2);
  });
});
