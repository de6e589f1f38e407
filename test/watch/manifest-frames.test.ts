/**
 * The informers' watch selection (`type revision object { ... on <Kind> { manifest } }`) is built
 * without executing it (server/api/ws/manifest-frames.ts). Its frames must be the very bytes
 * execution gives: the same selection with a directive (which makes the server execute it) and
 * the fast one, on one connection, receive identical payloads for a snapshot, its BOOKMARK, creates,
 * updates, status writes and deletes, with and without aliases. Any other shape is executed.
 */
import { parse, type OperationDefinitionNode } from 'graphql';
import { NEVER } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestRenderer } from '../../server/api/ws/manifest-frames.js';
import type { KubeqlClient } from '../../server/client/client.js';
import { objectClientOf } from '../../server/client/object-client.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { rawConnect } from '../support/raw-ws.js';

const NS = 'manifests';
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  await api.ok(`mutation { createNamespace(input: { metadata: { name: "${NS}" } }) { metadata { name } } }`);
});
afterAll(() => api.close());

/** The watch document the object client (every informer) sends for `kind`, as it sends it. */
function informerDocument(kind: 'Pod' | 'Node'): string {
  let sent = '';
  const capture = { servers: ['http://127.0.0.1:1/graphql'], subscribe: (query: string) => ((sent = query), NEVER) } as unknown as KubeqlClient;
  objectClientOf(capture).watch(kind).subscribe().unsubscribe();
  return sent;
}

const operationOf = (query: string) => parse(query).definitions[0] as OperationDefinitionNode;
const isKind = (name: string) => name === 'Pod' || name === 'Node';

describe('watch frames of the informers\' selection', () => {
  it('the object client\'s watch document is the shape built directly; other shapes are executed', () => {
    expect(manifestRenderer(operationOf(informerDocument('Pod')), isKind)).toBeTypeOf('function');
    expect(manifestRenderer(operationOf(informerDocument('Node')), isKind)).toBeTypeOf('function');
    const executed = [
      `subscription { watch(kind: Pod) { type revision object { ... on Pod { manifest __typename } } } }`,
      `subscription { watch(kind: Pod) { type revision __typename object { ... on Pod { manifest } } } }`,
      `subscription { watch(kind: Pod) { type revision object { ... on Pod { manifest @include(if: true) } } } }`,
      `subscription { watch(kind: Pod) { type revision object { ... on Pod { manifest } ... on Node { manifest } } } }`,
      `subscription { watch(kind: Pod) { type revision object { ... on Resource { manifest } } } }`,
      `subscription { watch(kind: Pod) { type revision object { ... on Pod { metadata { name } } } } }`,
      `subscription { watch(kind: Pod) { type type revision } }`,
      `subscription { watch(kind: Pod) { ...F } } fragment F on WatchEvent { type }`,
      `subscription { watch(kind: Pod) @include(if: true) { type } }`,
    ];
    for (const query of executed) expect(manifestRenderer(operationOf(query), isKind), query).toBeUndefined();
  });

  it('sends the bytes execution sends, for every kind of event', async () => {
    await api.ok(`mutation { createPod(input: { metadata: { name: "before", namespace: "${NS}", labels: { app: "x" } }, spec: { containers: [{ name: "c", image: "nginx" }] } }) { metadata { name } } }`);
    const conn = await rawConnect(api.server.url);
    const raw: string[] = [];
    conn.socket.on('message', (data) => raw.push(String(data)));
    await conn.init();
    const selections = {
      fast: `subscription { watch(kind: Pod, namespace: "${NS}") { type revision object { ... on Pod { manifest } } } }`,
      executed: `subscription { watch(kind: Pod, namespace: "${NS}") { type revision object { ... on Pod { manifest @include(if: true) } } } }`,
      // A hostile alias too: __proto__ is a GraphQL name, and must come out as a key like any other.
      fastAliased: `subscription { w: watch(kind: Pod, namespace: "${NS}") { o: object { ... on Pod { m: manifest } } __proto__: revision t: type } }`,
      executedAliased: `subscription { w: watch(kind: Pod, namespace: "${NS}") { o: object { ... on Pod { m: manifest @skip(if: false) } } __proto__: revision t: type } }`,
    };
    expect(manifestRenderer(operationOf(selections.fast), isKind)).toBeTypeOf('function');
    expect(manifestRenderer(operationOf(selections.fastAliased), isKind)).toBeTypeOf('function');
    for (const [id, query] of Object.entries(selections)) conn.subscribe(id, query);
    // The snapshot (an ADDED) and its BOOKMARK reached every subscription.
    await conn.waitFor(() => Object.keys(selections).every((id) => conn.of(id).length >= 2));

    await api.ok(`mutation { createPod(input: { metadata: { name: "p", namespace: "${NS}", labels: { app: "y" } }, spec: { containers: [{ name: "c", image: "nginx" }] } }) { metadata { name } } }`);
    await api.ok(`mutation($p: JSON!) { patchPod(namespace: "${NS}", name: "p", patch: $p) { metadata { name } } }`, { p: { metadata: { labels: { app: 'z' }, annotations: { note: 'ünïcode ✓ "quoted" \u2028' } } } });
    await api.ok(`mutation { updatePodStatus(namespace: "${NS}", name: "p", status: { phase: "Running", podIP: "10.0.0.9" }) { metadata { name } } }`);
    await api.ok(`mutation { deletePod(namespace: "${NS}", name: "p", gracePeriodSeconds: 0) { metadata { name } } }`);
    await api.ok(`mutation { deletePod(namespace: "${NS}", name: "before", gracePeriodSeconds: 0) { metadata { name } } }`);
    const EVENTS = 2 + 5; // snapshot ADDED and BOOKMARK, then ADDED, MODIFIED, MODIFIED, DELETED, DELETED
    await conn.waitFor(() => Object.keys(selections).every((id) => conn.of(id).length >= EVENTS));

    const payloads = (id: string) => raw.map((text) => JSON.parse(text) as { id?: string; payload?: unknown }).filter((m) => m.id === id).map((m) => JSON.stringify(m.payload));
    const fast = payloads('fast');
    expect(fast).toHaveLength(EVENTS);
    expect(fast).toEqual(payloads('executed'));
    expect(payloads('fastAliased')).toEqual(payloads('executedAliased'));
    // The frames are the events, in order: the whole objects, and null for the BOOKMARK.
    const events = conn.of('fast').map((m) => m.payload.data.watch as { type: string; object: { manifest: { metadata: { name: string } } } | null });
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK', 'ADDED', 'MODIFIED', 'MODIFIED', 'DELETED', 'DELETED']);
    expect(events[1].object).toBeNull();
    expect(events[4].object!.manifest).toMatchObject({ metadata: { name: 'p', labels: { app: 'z' }, annotations: { note: 'ünïcode ✓ "quoted" \u2028' } }, status: { phase: 'Running', podIP: '10.0.0.9' } });
    expect(conn.of('fastAliased')[0].payload.data.w).toHaveProperty('o.m.metadata.name', 'before');
    expect(payloads('fastAliased')[0]).toMatch(/^\{"data":\{"w":\{"o":\{"m":\{.*\}\},"__proto__":\d+,"t":"ADDED"\}\}\}$/);
    conn.close();
  });
});

