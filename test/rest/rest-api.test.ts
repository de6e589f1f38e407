/**
 * The REST API over plain HTTP on the same port (no kubectl needed): list chunking at one
 * revision, resourceVersion semantics, watch resumed from a resourceVersion equal to the log,
 * bookmarks, 410 below the compaction floor, timeoutSeconds, patches, delete preconditions, dry
 * runs, and hostile input answered with Status errors that leave the log unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotTables, startTestApi, type TestApi } from '../support/api.js';
import { makeIdentity } from '../support/identities.js';

let api: TestApi;
let base: string;

beforeAll(async () => {
  api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
  base = `http://127.0.0.1:${api.server.port}`;
});
afterAll(async () => {
  await api?.close();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, token: string | null = api.token) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

const pod = (name: string, labels: Record<string, string> = { app: 'web' }) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] },
});

/** Reads a watch stream's lines until `count` events came (or the stream ended). */
async function readWatch(path: string, count: number, headers: Record<string, string> = {}): Promise<{ status: number; events: any[] }> {
  const controller = new AbortController();
  const res = await fetch(base + path, { headers: { authorization: `Bearer ${api.token}`, ...headers }, signal: controller.signal });
  if (res.status !== 200) return { status: res.status, events: [await res.json()] };
  const events: any[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = res.body!.getReader();
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      events.push(JSON.parse(buffer.slice(0, nl)));
      buffer = buffer.slice(nl + 1);
    }
  }
  controller.abort();
  return { status: 200, events };
}

describe('the Kubernetes REST API', () => {
  it('creates (201), gets, lists in pages at one revision, and answers resourceVersion semantics', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) expect((await call('POST', '/api/v1/namespaces/default/pods', pod(name))).status).toBe(201);
    const first = await call('GET', '/api/v1/namespaces/default/pods?limit=2');
    expect(first.status).toBe(200);
    expect(first.json.kind).toBe('PodList');
    expect(first.json.items.map((p: any) => p.metadata.name)).toEqual(['a', 'b']);
    const revision = first.json.metadata.resourceVersion;
    // A write between pages does not show in the later pages: they read at the first page's revision.
    await call('DELETE', '/api/v1/namespaces/default/pods/c');
    const second = await call('GET', `/api/v1/namespaces/default/pods?limit=2&continue=${encodeURIComponent(first.json.metadata.continue)}`);
    expect(second.json.items.map((p: any) => p.metadata.name)).toEqual(['c', 'd']);
    expect(second.json.metadata.resourceVersion).toBe(revision);
    const third = await call('GET', `/api/v1/namespaces/default/pods?limit=2&continue=${encodeURIComponent(second.json.metadata.continue)}`);
    expect(third.json.items.map((p: any) => p.metadata.name)).toEqual(['e']);
    expect(third.json.metadata.continue).toBeUndefined();
    // Exact: the list as it was; NotOlderThan: the head.
    const exact = await call('GET', `/api/v1/namespaces/default/pods?resourceVersion=${revision}&resourceVersionMatch=Exact`);
    expect(exact.json.items.map((p: any) => p.metadata.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    const now = await call('GET', `/api/v1/namespaces/default/pods?resourceVersion=${revision}&resourceVersionMatch=NotOlderThan`);
    expect(now.json.items.map((p: any) => p.metadata.name)).toEqual(['a', 'b', 'd', 'e']);
    const future = await call('GET', `/api/v1/namespaces/default/pods?resourceVersion=${Number(revision) + 1000}`);
    expect(future.status).toBe(504);
    expect(future.json.message).toMatch(/Too large resource version/);
    const both = await call('GET', `/api/v1/namespaces/default/pods?resourceVersion=${revision}&continue=${encodeURIComponent(first.json.metadata.continue)}`);
    expect(both.status).toBe(400);
    const got = await call('GET', '/api/v1/namespaces/default/pods/a');
    expect(got.json.metadata.name).toBe('a');
    expect(got.json.metadata.resourceVersion).toMatch(/^\d+$/);
  });

  it('a watch resumed from a resourceVersion delivers exactly the log after it, with bookmarks when asked', async () => {
    const from = api.server.store.head();
    await call('POST', '/api/v1/namespaces/default/pods', pod('w1'));
    await call('PATCH', '/api/v1/namespaces/default/pods/w1', { metadata: { labels: { app: 'web', x: '1' } } }, { 'content-type': 'application/merge-patch+json' });
    await call('POST', '/api/v1/namespaces/default/pods', pod('w2', { app: 'other' }));
    await call('DELETE', '/api/v1/namespaces/default/pods/w1');
    const log = api.db().prepare(`SELECT revision, type, name FROM events WHERE kind = 'Pod' AND revision > ? ORDER BY revision`).all(from) as any[];
    expect(log).toHaveLength(4);
    const { events } = await readWatch(`/api/v1/namespaces/default/pods?watch=1&resourceVersion=${from}`, 4);
    expect(events.map((e) => [Number(e.object.metadata.resourceVersion), e.type, e.object.metadata.name])).toEqual(log.map((e) => [e.revision, e.type, e.name]));
    // Selected by label: w2 never matches; w1's events only, then a BOOKMARK once the head moves on quietly.
    const watching = readWatch(`/api/v1/namespaces/default/pods?watch=true&resourceVersion=${from}&labelSelector=app%3Dweb&allowWatchBookmarks=true`, 4);
    await new Promise((r) => setTimeout(r, 300));
    await call('POST', '/api/v1/namespaces/default/pods', pod('w3', { app: 'other' }));
    const selected = await watching;
    expect(selected.events.slice(0, 3).map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'w1'],
      ['MODIFIED', 'w1'],
      ['DELETED', 'w1'],
    ]);
    expect(selected.events[3]).toEqual({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(api.server.store.head()) } } });
  });

  it('a watch without resourceVersion starts with the current state; timeoutSeconds ends it cleanly', async () => {
    const res = await fetch(`${base}/api/v1/namespaces/default/pods?watch=1&timeoutSeconds=1&labelSelector=app%3Dweb`, { headers: { authorization: `Bearer ${api.token}` } });
    const text = await res.text(); // ends by itself after a second
    const events = text.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'a'],
      ['ADDED', 'b'],
      ['ADDED', 'd'],
      ['ADDED', 'e'],
    ]);
  });

  it('answers 410 Gone (Expired) for a watch or a continue below the compaction floor', async () => {
    const page = await call('GET', '/api/v1/namespaces/default/pods?limit=1');
    await call('POST', '/api/v1/namespaces/default/pods', pod('late'));
    api.server.store.compact(api.server.store.head());
    const gone = await call('GET', '/api/v1/namespaces/default/pods?watch=1&resourceVersion=1');
    expect(gone.status).toBe(410);
    expect(gone.json).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
    const stale = await call('GET', `/api/v1/namespaces/default/pods?limit=1&continue=${encodeURIComponent(page.json.metadata.continue)}`);
    expect(stale.status).toBe(410);
    expect(stale.json.reason).toBe('Expired');
  });

  it('patches by JSON patch, merge patch and strategic merge patch, refuses server-side apply (415), checks delete preconditions, dry-runs', async () => {
    const json = await call('PATCH', '/api/v1/namespaces/default/pods/a', [{ op: 'add', path: '/metadata/labels/tier', value: 'front' }], { 'content-type': 'application/json-patch+json' });
    expect(json.status).toBe(200);
    expect(json.json.metadata.labels).toEqual({ app: 'web', tier: 'front' });
    const failedTest = await call('PATCH', '/api/v1/namespaces/default/pods/a', [{ op: 'test', path: '/metadata/name', value: 'zzz' }], { 'content-type': 'application/json-patch+json' });
    expect(failedTest.status).toBe(422);
    // Strategic merge patch: containers merge by name, so the image changes and nothing else does.
    const smp = await call('PATCH', '/api/v1/namespaces/default/pods/a', { metadata: { labels: { x: 'y' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.26' }] } }, { 'content-type': 'application/strategic-merge-patch+json' });
    expect(smp.status).toBe(200);
    expect(smp.json.metadata.labels).toEqual({ app: 'web', tier: 'front', x: 'y' });
    expect(smp.json.spec.containers).toHaveLength(1);
    expect(smp.json.spec.containers[0]).toMatchObject({ name: 'c', image: 'nginx:1.26' });
    const apply = await call('PATCH', '/api/v1/namespaces/default/pods/a', 'metadata: {}', { 'content-type': 'application/apply-patch+yaml' });
    expect(apply.status).toBe(415);
    const head = api.server.store.head();
    const dry = await call('DELETE', '/api/v1/namespaces/default/pods/b?dryRun=All');
    expect(dry.status).toBe(200);
    const live = (await call('GET', '/api/v1/namespaces/default/pods/b')).json;
    const dryPatch = await call('PATCH', '/api/v1/namespaces/default/pods/b?dryRun=All', { metadata: { labels: { dry: 'run' } } }, { 'content-type': 'application/merge-patch+json' });
    expect(dryPatch.json.metadata.labels.dry).toBe('run');
    expect(dryPatch.json.metadata.resourceVersion).toBe(live.metadata.resourceVersion);
    const dryCreate = await call('POST', '/api/v1/namespaces/default/pods?dryRun=All', pod('ghost'));
    expect(dryCreate.status).toBe(201);
    expect(dryCreate.json.metadata.resourceVersion).toBe('');
    expect(api.server.store.head()).toBe(head);
    expect((await call('GET', '/api/v1/namespaces/default/pods/b')).status).toBe(200);
    const wrongUid = await call('DELETE', '/api/v1/namespaces/default/pods/b', { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'not-the-uid' } });
    expect(wrongUid.status).toBe(409);
    expect(wrongUid.json.reason).toBe('Conflict');
    const staleRv = await call('DELETE', '/api/v1/namespaces/default/pods/b', { preconditions: { resourceVersion: '1' } });
    expect(staleRv.status).toBe(409);
    expect(api.server.store.head()).toBe(head);
    expect((await call('DELETE', '/api/v1/namespaces/default/pods/b', { gracePeriodSeconds: 0 })).status).toBe(200);
  });

  it('a stale PUT answers 409 Conflict; a PUT whose name differs from the URL answers 400 or 422', async () => {
    const current = (await call('GET', '/api/v1/namespaces/default/pods/a')).json;
    const stale = await call('PUT', '/api/v1/namespaces/default/pods/a', { ...current, metadata: { ...current.metadata, resourceVersion: '1' } });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409, details: { name: 'a', kind: 'pods' } });
    const renamed = await call('PUT', '/api/v1/namespaces/default/pods/a', { ...current, metadata: { ...current.metadata, name: 'other' } });
    expect([400, 422]).toContain(renamed.status);
  });

  it('fieldValidation: absent is Warn (the server default), Strict refuses a typo, Ignore drops it silently; every mode leaves the typo out of the object', async () => {
    const typo = (name: string) => ({ ...pod(name), spec: { containers: [{ name: 'c', image: 'nginx:1.25', imagePullPolic: 'Always' }] } });
    const head = (await call('GET', '/api/v1/namespaces/default/pods?limit=1')).json.metadata.resourceVersion;
    const strict = await call('POST', '/api/v1/namespaces/default/pods?fieldValidation=Strict', typo('fv-strict'));
    expect([400, 422]).toContain(strict.status);
    expect(strict.json.message).toMatch(/imagePullPolic/);
    expect((await call('GET', '/api/v1/namespaces/default/pods?limit=1')).json.metadata.resourceVersion).toBe(head);
    const absent = await call('POST', '/api/v1/namespaces/default/pods', typo('fv-absent'));
    expect(absent.status).toBe(201);
    expect(absent.headers.get('warning')).toMatch(/imagePullPolic/);
    expect(absent.json.spec.containers[0]).not.toHaveProperty('imagePullPolic');
    const ignore = await call('POST', '/api/v1/namespaces/default/pods?fieldValidation=Ignore', typo('fv-ignore'));
    expect(ignore.status).toBe(201);
    expect(ignore.headers.get('warning') ?? '').not.toMatch(/imagePullPolic/);
    const patched = await call('PATCH', '/api/v1/namespaces/default/pods/fv-ignore?fieldValidation=Strict', { metadata: { labelz: { a: 'b' } } }, { 'content-type': 'application/merge-patch+json' });
    expect([400, 422]).toContain(patched.status);
    expect(patched.json.message).toMatch(/labelz/);
    const bad = await call('POST', '/api/v1/namespaces/default/pods?fieldValidation=Loose', pod('fv-bad'));
    expect(bad.status).toBe(400);
  });

  it('serves the scale and status subresources, binding and eviction', async () => {
    await call('POST', '/apis/apps/v1/namespaces/default/replicasets', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'rs' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'rs' } }, template: { metadata: { labels: { app: 'rs' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } },
    });
    const scale = await call('GET', '/apis/apps/v1/namespaces/default/replicasets/rs/scale');
    expect(scale.json).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 1 }, status: { selector: 'app=rs' } });
    const scaled = await call('PATCH', '/apis/apps/v1/namespaces/default/replicasets/rs/scale', { spec: { replicas: 4 } }, { 'content-type': 'application/merge-patch+json' });
    expect(scaled.json.spec.replicas).toBe(4);
    const status = await call('PATCH', '/apis/apps/v1/namespaces/default/replicasets/rs/status', { status: { replicas: 2 } }, { 'content-type': 'application/merge-patch+json' });
    expect(status.json.status.replicas).toBe(2);
    const bound = await call('POST', '/api/v1/namespaces/default/pods/d/binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'd' }, target: { kind: 'Node', name: 'node-1' } });
    expect(bound.status).toBe(201);
    expect((await call('GET', '/api/v1/namespaces/default/pods/d')).json.spec.nodeName).toBe('node-1');
    const evicted = await call('POST', '/api/v1/namespaces/default/pods/e/eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'e', namespace: 'default' } });
    expect(evicted.status).toBe(201);
    expect((await call('GET', '/api/v1/namespaces/default/pods/e')).status).toBe(404);
    const verbs = api.db().prepare(`SELECT verb, actor FROM events WHERE name IN ('rs', 'd', 'e') ORDER BY revision DESC LIMIT 3`).all();
    expect(verbs).toEqual([
      { verb: 'delete', actor: 'admin' },
      { verb: 'bind', actor: 'admin' },
      { verb: 'updateStatus', actor: 'admin' },
    ]);
  });

  it('answers hostile input with Status errors and leaves the log unchanged', async () => {
    const viewer = await makeIdentity(api, 'hostile-viewer', [{ namespace: 'default', rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }]);
    const before = snapshotTables(api.db());
    const cases: Array<[string, string, unknown, Record<string, string>, number, string, string | null]> = [
      ['POST', '/api/v1/namespaces/default/pods', '{"kind": "Pod", ', {}, 400, 'BadRequest', api.token],
      ['POST', '/api/v1/namespaces/default/pods', 'x'.repeat(4 * 1024 * 1024), {}, 413, 'RequestEntityTooLarge', api.token],
      ['POST', '/api/v1/namespaces/default/pods', '[1, 2]', {}, 400, 'BadRequest', api.token],
      ['POST', '/api/v1/namespaces/default/pods', { ...pod('bad'), spec: { containers: [{ name: 'UPPER', image: '' }] } }, {}, 422, 'Invalid', api.token],
      ['POST', '/api/v1/namespaces/default/pods', { ...pod('x'), metadata: { name: 'x', namespace: 'other' } }, {}, 400, 'BadRequest', api.token],
      ['POST', '/api/v1/namespaces/nowhere/pods', pod('x'), {}, 404, 'NotFound', api.token],
      ['POST', '/api/v1/namespaces/default/pods', pod('a'), {}, 409, 'AlreadyExists', api.token],
      ['POST', '/api/v1/namespaces/default/pods', pod('x'), {}, 401, 'Unauthorized', null],
      ['POST', '/api/v1/namespaces/default/pods', pod('x'), {}, 403, 'Forbidden', viewer],
      ['POST', '/api/v1/namespaces/default/pods', pod('x'), { 'content-type': 'text/plain' }, 415, 'UnsupportedMediaType', api.token],
      ['POST', '/api/v1/namespaces/default/pods', Buffer.from('k8s\u0000\u000a\u00ff\u00ff'), { 'content-type': 'application/vnd.kubernetes.protobuf' }, 400, 'BadRequest', api.token],
      ['PATCH', '/api/v1/namespaces/default/pods/a', '{"metadata":'.repeat(200) + '1' + '}'.repeat(200), { 'content-type': 'application/merge-patch+json' }, 400, 'BadRequest', api.token],
      ['PATCH', '/api/v1/namespaces/default/pods/a', { metadata: { name: 'renamed' } }, { 'content-type': 'application/merge-patch+json' }, 422, 'Invalid', api.token],
      ['PATCH', '/api/v1/namespaces/default/pods/a', [{ op: 'nope' }], { 'content-type': 'application/json-patch+json' }, 422, 'Invalid', api.token],
      ['GET', '/api/v1/namespaces/default/pods?labelSelector=app%20in%20(x', undefined, {}, 400, 'BadRequest', api.token],
      ['GET', '/api/v1/namespaces/default/pods?fieldSelector=spec.secret%3D1', undefined, {}, 400, 'BadRequest', api.token],
      ['GET', '/api/v1/namespaces/default/pods?limit=-1', undefined, {}, 400, 'BadRequest', api.token],
      ['GET', '/api/v1/namespaces/default/pods?continue=garbage', undefined, {}, 400, 'BadRequest', api.token],
      ['GET', '/api/v1/namespaces/default/pods?resourceVersion=abc', undefined, {}, 400, 'BadRequest', api.token],
      ['GET', '/api/v1/namespaces/default/pods?timeoutSeconds=99999999&watch=1', undefined, {}, 400, 'BadRequest', api.token],
      ['GET', '/api/v1/namespaces/default/pods?watch=1&resourceVersion=999999999', undefined, {}, 504, 'Timeout', api.token],
      ['GET', '/api/v1/namespaces/default/pods/a%2Fb', undefined, {}, 404, 'NotFound', api.token],
      ['GET', '/api/v1/namespaces/default/pods/%zz', undefined, {}, 400, 'BadRequest', api.token],
      ['GET', '/api/v1/namespaces/default/widgets', undefined, {}, 404, 'NotFound', api.token],
      ['GET', '/apis/apps/v9/deployments', undefined, {}, 404, 'NotFound', api.token],
      ['GET', `/api/v1/namespaces/default/pods/${'a'.repeat(3000)}`, undefined, {}, 414, 'RequestURITooLong', api.token],
      ['GET', '/api/v1/namespaces/default/pods/a/b/c/d', undefined, {}, 404, 'NotFound', api.token],
      ['DELETE', '/api/v1/namespaces/default/pods/a', { gracePeriodSeconds: -5 }, {}, 400, 'BadRequest', api.token],
      ['DELETE', '/api/v1/namespaces/default/pods/a?propagationPolicy=Sideways', undefined, {}, 400, 'BadRequest', api.token],
      ['POST', '/api/v1/namespaces/default/pods/a/exec', undefined, {}, 400, 'BadRequest', api.token],
      ['PUT', '/api/v1/namespaces/default/pods', pod('a'), {}, 405, 'MethodNotAllowed', api.token],
    ];
    for (const [method, path, body, headers, status, reason, token] of cases) {
      const res = await call(method, path, body, headers, token);
      expect({ method, path: path.slice(0, 80), status: res.status, reason: res.json?.reason, kind: res.json?.kind }).toEqual({
        method,
        path: path.slice(0, 80),
        status,
        reason,
        kind: 'Status',
      });
    }
    expect(snapshotTables(api.db())).toBe(before);
    // The REST door's requests are in the same latency metric as GraphQL's, by Kubernetes verb and Status reason.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/kubeql_request_duration_seconds_count\{verb="create",kind="Pod",code="OK"\} [1-9]/);
    expect(metrics).toMatch(/kubeql_request_duration_seconds_count\{verb="create",kind="Pod",code="AlreadyExists"\} 1/);
    expect(metrics).toMatch(/kubeql_request_duration_seconds_count\{verb="watch",kind="Pod",code="OK"\} [1-9]/);
  });
});
