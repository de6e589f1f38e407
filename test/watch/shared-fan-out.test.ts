/**
 * Many subscriptions on one connection, several sharing a document: a commit of many events fans
 * out to all of them in one turn, and the connection writes those frames together. Each
 * subscription must still get exactly its own stream, in revision order, and a query answered on
 * the same connection meanwhile gets its `next` before its `complete`. A shared frame is one body
 * spliced after each subscription's head, its length counted in bytes whatever the text.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POD, startTestApi, type TestApi } from '../support/api.js';
import { rawConnect } from '../support/raw-ws.js';

const NS = 'fan';
const PODS = 30;
const PER_DOCUMENT = 20;
const WATCH = `subscription($from: Revision, $ls: String) {
  watch(kind: Pod, namespace: "${NS}", labelSelector: $ls, fromRevision: $from) { type revision object { ... on Pod { metadata { name labels } } } }
}`;
const DOCUMENTS: Array<{ prefix: string; ls?: string }> = [{ prefix: 'all' }, { prefix: 'a', ls: 'app=a' }, { prefix: 'b', ls: 'app=b' }];

/** One document creating `names` (app=a for even indexes, app=b for odd), one commit. */
function createMany(names: string[]) {
  const decl = names.map((_, i) => `$p${i}: PodInput!`).join(', ');
  const fields = names.map((_, i) => `m${i}: createPod(input: $p${i}) { metadata { name } }`).join(' ');
  const variables = Object.fromEntries(names.map((n, i) => [`p${i}`, POD(n, { namespace: NS, labels: { app: i % 2 ? 'b' : 'a' } })]));
  return { query: `mutation(${decl}) { ${fields} }`, variables };
}

/** One document moving `names` to app=b. */
function relabelMany(names: string[]) {
  const fields = names.map((n, i) => `m${i}: patchPod(namespace: "${NS}", name: "${n}", patch: { metadata: { labels: { app: "b" } } }) { metadata { name } }`).join(' ');
  return { query: `mutation { ${fields} }`, variables: {} };
}

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  await api.ok(`mutation { createNamespace(input: { metadata: { name: "${NS}" } }) { metadata { name } } }`);
});
afterAll(() => api.close());

describe('shared fan-out on one connection', () => {
  it('every subscription gets exactly its stream in order, however many frames one commit writes to the connection', async () => {
    const from = (await api.ok('{ revision }')).revision as number;
    const conn = await rawConnect(api.server.url);
    await conn.init();
    const ids: string[] = [];
    for (const d of DOCUMENTS)
      for (let i = 0; i < PER_DOCUMENT; i++) {
        const id = `${d.prefix}${i}`;
        ids.push(id);
        conn.subscribe(id, WATCH, { from, ls: d.ls });
      }
    // Subscriptions are set up in order: a query after them answers once they all run.
    conn.subscribe('q1', '{ revision }');
    await conn.waitFor(() => conn.of('q1').some((m) => m.type === 'complete'));

    const names = Array.from({ length: PODS }, (_, i) => `p${i}`);
    const create = createMany(names);
    await api.ok(create.query, create.variables);
    const moved = names.filter((_, i) => i % 2 === 0).slice(0, 5);
    const relabel = relabelMany(moved);
    // A query on the same connection while the relabel's frames go out.
    const relabelled = api.ok(relabel.query, relabel.variables);
    conn.subscribe('q2', '{ revision }');
    await relabelled;
    const head = (await api.ok('{ revision }')).revision as number;
    expect(head).toBe(from + PODS + moved.length);

    const seen = (id: string) => conn.of(id).map((m) => m.payload?.data?.watch ?? m.type);
    const expected: Record<string, Array<[string, string, number]>> = { all: [], a: [], b: [] };
    names.forEach((n, i) => {
      expected.all.push(['ADDED', n, from + 1 + i]);
      expected[i % 2 ? 'b' : 'a'].push(['ADDED', n, from + 1 + i]);
    });
    moved.forEach((n, i) => {
      const revision = from + PODS + 1 + i;
      expected.all.push(['MODIFIED', n, revision]);
      expected.a.push(['DELETED', n, revision]);
      expected.b.push(['ADDED', n, revision]);
    });
    await conn.waitFor(() => ids.every((id) => conn.of(id).length >= expected[id.replace(/\d+$/, '')].length), 20_000);
    await conn.waitFor(() => conn.of('q2').some((m) => m.type === 'complete'));
    for (const id of ids) {
      const stream = seen(id).map((w: any) => [w.type, w.object?.metadata.name, w.revision]);
      expect(stream, id).toEqual(expected[id.replace(/\d+$/, '')]);
    }
    for (const q of ['q1', 'q2']) expect(conn.of(q).map((m) => m.type), q).toEqual(['next', 'complete']);
    conn.close();
  });

  it('shared frames of every length encoding and multi-byte UTF-8 reach every sharer whole', async () => {
    // One body, encoded once, spliced after each subscription's own head: the frame's length must be
    // counted in bytes (7-bit, 16-bit and 64-bit length encodings; é and ü are two bytes, 🦆 four).
    const notes = { small: 'plain', medium: `${'é'.repeat(100)}🦆`, large: `${'ü'.repeat(40_000)}🦆` };
    const watch = `subscription($from: Revision) {
      watch(kind: Pod, namespace: "${NS}", fromRevision: $from) { type revision object { ... on Pod { metadata { name annotations } } } }
    }`;
    const from = (await api.ok('{ revision }')).revision as number;
    const conn = await rawConnect(api.server.url);
    await conn.init();
    const ids = ['u1', 'u2', 'u3', 'u4'];
    for (const id of ids) conn.subscribe(id, watch, { from });
    conn.subscribe('q', '{ revision }');
    await conn.waitFor(() => conn.of('q').some((m) => m.type === 'complete'));
    const entries = Object.entries(notes);
    for (const [size, note] of entries)
      await api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, {
        i: { ...POD(`utf8-${size}`, { namespace: NS }), metadata: { name: `utf8-${size}`, namespace: NS, annotations: { note } } },
      });
    await conn.waitFor(() => ids.every((id) => conn.of(id).length >= entries.length), 20_000);
    for (const id of ids) {
      const got = conn.of(id).map((m) => [m.type, m.payload?.data?.watch?.object?.metadata.name, m.payload?.data?.watch?.object?.metadata.annotations?.note]);
      expect(got, id).toEqual(entries.map(([size, note]) => ['next', `utf8-${size}`, note]));
    }
    conn.close();
  });
});
