/**
 * Sizes on every path: a chunked body over the limit (413), an object over 1.5 MiB (PAYLOAD_TOO_LARGE
 * naming it) on create, update and apply, and input nested past the bound (BAD_USER_INPUT) in
 * variables, in literals, in YAML and JSON manifests, over HTTP and WebSocket. Each leaves the log unchanged.
 */
import * as http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_OBJECT_BYTES, MAX_OBJECT_DEPTH } from '../../server/resources/object-bounds.js';
import { CREATE_POD, POD, snapshotTables, startTestApi, type TestApi } from '../support/api.js';
import { rawConnect } from '../support/raw-ws.js';

const BODY_LIMIT = 3 * 1024 * 1024;
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ limits: { bodyBytes: BODY_LIMIT } });
  await api.ok(CREATE_POD, { i: POD('existing') });
});
afterAll(() => api.close());

/** POSTs `body` chunked (no Content-Length), in pieces of 64 KiB; resolves with the status and body of the answer. */
function postChunked(body: string): Promise<{ status: number; body: string }> {
  const url = new URL(api.server.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${api.token}`, 'transfer-encoding': 'chunked' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    // The server may close the connection while the rest is still being sent: the answer is what counts.
    req.on('error', (e) => reject(e));
    let at = 0;
    const pump = () => {
      while (at < body.length) {
        const piece = body.slice(at, (at += 64 * 1024));
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

const deepObject = (levels: number): Record<string, unknown> => {
  const root: Record<string, unknown> = {};
  let at = root;
  for (let i = 1; i < levels; i++) at = (at.x = {}) as Record<string, unknown>;
  return root;
};

describe('request bodies', () => {
  it('a chunked body over the limit is 413 PAYLOAD_TOO_LARGE and stores nothing', async () => {
    const before = snapshotTables(api.db());
    const pod = POD('chunked-big', { spec: { containers: [{ name: 'a', image: 'b' }] } });
    (pod.metadata as Record<string, unknown>).annotations = { a: 'x'.repeat(10 * 1024 * 1024) };
    const answer = await postChunked(JSON.stringify({ query: CREATE_POD, variables: { i: pod } }));
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    expect(snapshotTables(api.db())).toBe(before);
    expect((await api.gql('{ revision }')).data?.revision).toBeTypeOf('number');
  });

  it('a chunked body under the limit is answered as usual', async () => {
    const answer = await postChunked(JSON.stringify({ query: CREATE_POD, variables: { i: POD('chunked-small') } }));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).data.createPod.metadata.name).toBe('chunked-small');
  });
});

describe('one object is at most 1.5 MiB', () => {
  // Annotations have their own cap (256 KiB); a field Kubeql does not act on has none but this one.
  const padded = (name: string, pad: string) => ({ metadata: { name }, spec: { containers: [{ name: 'a', image: 'b' }], pad } });

  it('a create over the cap is PAYLOAD_TOO_LARGE naming the object; just under it is stored', async () => {
    const before = snapshotTables(api.db());
    const res = await api.gql(CREATE_POD, { i: padded('huge', 'x'.repeat(MAX_OBJECT_BYTES)) });
    expect(res.errors?.[0].extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(res.errors?.[0].message).toMatch(/Pod default\/huge is \d+ bytes/);
    expect(snapshotTables(api.db())).toBe(before);
    await api.ok(CREATE_POD, { i: padded('large', 'x'.repeat(MAX_OBJECT_BYTES - 4096)) });
  });

  it('multi-byte characters count as bytes', async () => {
    // 600 Ki characters of 3 bytes each: 1.8 MiB stored, though fewer than 1.5 Mi characters.
    const res = await api.gql(CREATE_POD, { i: padded('wide', '€'.repeat(600 * 1024)) });
    expect(res.errors?.[0].extensions?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('an update that grows an object past the cap is refused, and the object keeps its version', async () => {
    const before = snapshotTables(api.db());
    const res = await api.gql(`mutation($p: JSON!) { patchNamespace(name: "default", patch: $p) { metadata { resourceVersion } } }`, {
      p: { spec: { pad: 'y'.repeat(MAX_OBJECT_BYTES) } },
    });
    expect(res.errors?.[0].extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(res.errors?.[0].message).toContain('Namespace default is');
    expect(snapshotTables(api.db())).toBe(before);
  });

  // apply keeps the manifest in the last-applied annotation, whose own cap (256 KiB, as kubectl's) answers first.
  it('apply refuses it, naming the document', async () => {
    const before = snapshotTables(api.db());
    const manifest = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: applied-huge\nspec:\n  containers: [{name: a, image: b}]\n  pad: ${'z'.repeat(MAX_OBJECT_BYTES)}\n`;
    const res = await api.gql('mutation($m: String!) { apply(manifests: $m) { objects { name } } }', { m: manifest });
    expect(['PAYLOAD_TOO_LARGE', 'BAD_USER_INPUT']).toContain(res.errors?.[0].extensions?.code);
    expect(res.errors?.[0].message).toMatch(/^manifests\[0\]/);
    expect(snapshotTables(api.db())).toBe(before);
  });
});

describe('nesting is bounded', () => {
  it(`an object nested past ${MAX_OBJECT_DEPTH} levels is BAD_USER_INPUT naming the field; at the bound it is stored`, async () => {
    const before = snapshotTables(api.db());
    // The pod is level 1, spec 2, spec.extra 3.
    const res = await api.gql(CREATE_POD, { i: { ...POD('deep'), spec: { containers: [{ name: 'a', image: 'b' }], extra: deepObject(MAX_OBJECT_DEPTH - 1) } } });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].extensions?.field).toMatch(/^spec\.extra\.x\.x/);
    expect(snapshotTables(api.db())).toBe(before);
    await api.ok(CREATE_POD, { i: { ...POD('deep-ok'), spec: { containers: [{ name: 'a', image: 'b' }], extra: deepObject(MAX_OBJECT_DEPTH - 2) } } });
  });

  it('variables nested thousands of levels deep are BAD_USER_INPUT over HTTP and WebSocket', async () => {
    const before = snapshotTables(api.db());
    // Built as text: JSON.stringify itself would run out of stack.
    const levels = 100_000;
    const variables = `{"i":{"metadata":{"name":"bomb"},"spec":{"containers":[{"name":"a","image":"b"}],"extra":${'{"x":'.repeat(levels)}1${'}'.repeat(levels)}}}}`;
    const body = `{"query":${JSON.stringify(CREATE_POD)},"variables":${variables}}`;
    const res = await fetch(api.server.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${api.token}` }, body });
    const answer = (await res.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
    expect(answer.errors[0].extensions.code).toBe('BAD_USER_INPUT');

    const conn = await rawConnect(api.server.url);
    await conn.init();
    conn.socket.send(`{"type":"subscribe","id":"d","payload":{"query":${JSON.stringify(CREATE_POD)},"variables":${variables}}}`);
    await conn.waitFor(() => conn.of('d').length > 0);
    expect(conn.of('d')[0].type).toBe('error');
    expect(conn.of('d')[0].payload[0].extensions.code).toBe('BAD_USER_INPUT');
    conn.close();
    expect(snapshotTables(api.db())).toBe(before);
  });

  it('a literal nested in the query as deep as its token limit allows is refused', async () => {
    const levels = 1200;
    const query = `mutation { createPod(input: { metadata: { name: "lit" }, spec: { containers: [{ name: "a", image: "b" }], extra: ${'{ x: '.repeat(levels)}1${' }'.repeat(levels)} } }) { metadata { name } } }`;
    const res = await api.gql(query);
    expect(['BAD_USER_INPUT', 'TOO_COMPLEX']).toContain(res.errors?.[0].extensions?.code);
  });

  it.each([
    ['YAML block mappings', 150, (n: number) => `apiVersion: v1\nkind: Pod\nmetadata: {name: y}\nspec:\n  containers: [{name: a, image: b}]\n  extra:\n${Array.from({ length: n }, (_, i) => `${'  '.repeat(i + 2)}x:`).join('\n')} 1\n`],
    ['YAML flow sequences', 5000, (n: number) => `apiVersion: v1\nkind: Pod\nmetadata: {name: y}\nspec: {containers: [{name: a, image: b}], extra: ${'['.repeat(n)}${']'.repeat(n)}}\n`],
    ['a JSON manifest', 200_000, (n: number) => `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"j"},"spec":{"extra":${'['.repeat(n)}${']'.repeat(n)}}}`],
  ])('%s nested too deeply are BAD_USER_INPUT naming the document', async (_what, levels, manifest) => {
    const before = snapshotTables(api.db());
    const res = await api.gql('mutation($m: String!) { apply(manifests: $m) { objects { name } } }', { m: manifest(levels) });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toMatch(/^manifests\[0\]/);
    expect(res.errors?.[0].message).toMatch(/nested deeper than 100 levels/);
    expect(snapshotTables(api.db())).toBe(before);
  });
});
