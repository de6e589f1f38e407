/**
 * The typed object client against a real API server: each verb (get, getMany, list, create,
 * update, patch, updateStatus, delete, watch, scale, bind) does what its name says, answers the
 * kind's type, and fails with the API's code.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createKubeqlClient, type KubeqlClient } from '../../server/client/client.js';
import { ClientError } from '../../server/client/client-error.js';
import { createObjectClient, ignoreNotFound, isNotFound, type ObjectClient, type WatchEvent } from '../../server/client/object-client.js';
import type { Deployment, Node, Pod } from '../../server/resources/objects.js';
import { startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
let transport: KubeqlClient;
let client: ObjectClient;

const pod = (name: string, labels: Record<string, string> = {}) => ({
  metadata: { name, namespace: 'oc', labels },
  spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] },
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ClientError);
    return (e as ClientError).code;
  }
  throw new Error('expected an error');
}

beforeAll(async () => {
  api = await startTestApi();
  transport = createKubeqlClient({ server: api.server.url, token: api.token });
  client = createObjectClient(transport);
  await client.create('Namespace', { metadata: { name: 'oc' } });
});
afterAll(async () => {
  await transport.close();
  await api.close();
});

describe('the object client', () => {
  it('create answers the stored object, typed by kind; a second create is ALREADY_EXISTS; bad input is BAD_USER_INPUT', async () => {
    const created = await client.create('Pod', pod('a', { app: 'web' }));
    expectTypeOf(created).toEqualTypeOf<Pod>();
    expect(created.kind).toBe('Pod');
    expect(created.spec.containers[0].image).toBe('nginx:1.25');
    expect(created.spec.restartPolicy).toBe('Always');
    expect(created.status?.phase).toBe('Pending');
    expect(await codeOf(client.create('Pod', pod('a')))).toBe('ALREADY_EXISTS');
    expect(await codeOf(client.create('Pod', { metadata: { name: 'bad', namespace: 'oc' }, spec: { containers: [] } }))).toBe('BAD_USER_INPUT');
  });

  it('create with a requestId twice writes once', async () => {
    const first = await client.create('Pod', pod('idem'), { requestId: 'oc-idem-1' });
    const again = await client.create('Pod', pod('idem'), { requestId: 'oc-idem-1' });
    expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
  });

  it('get answers the object, undefined when absent, and a past version atRevision', async () => {
    const a = await client.get('Pod', { namespace: 'oc', name: 'a' });
    expect(a?.metadata.name).toBe('a');
    expect(await client.get('Pod', { namespace: 'oc', name: 'nope' })).toBeUndefined();
    const patched = await client.patch('Pod', { namespace: 'oc', name: 'a' }, { metadata: { labels: { app: 'web', v: '2' } } });
    const before = await client.get('Pod', { namespace: 'oc', name: 'a' }, { atRevision: Number(a!.metadata.resourceVersion) });
    expect(before?.metadata.labels).toEqual({ app: 'web' });
    expect(patched.metadata.labels).toEqual({ app: 'web', v: '2' });
  });

  it('getMany reads many objects in few requests, undefined where absent', async () => {
    for (let i = 0; i < 30; i++) await client.create('Pod', pod(`m${i}`));
    const keys = [...Array.from({ length: 30 }, (_, i) => ({ namespace: 'oc', name: `m${i}` })), { namespace: 'oc', name: 'absent' }];
    const got = await client.getMany('Pod', keys);
    expect(got.map((p) => p?.metadata.name)).toEqual([...keys.slice(0, 30).map((k) => k.name), undefined]);
  });

  it('list reads every page at one revision, by namespace and selectors; cluster-scoped kinds too', async () => {
    const all = await client.list('Pod', { namespace: 'oc', pageSize: 7 });
    expect(all.items.length).toBe(32);
    expect(new Set(all.items.map((p) => p.metadata.name)).size).toBe(32);
    expect(all.revision).toBeGreaterThan(0);
    const web = await client.list('Pod', { namespace: 'oc', labelSelector: 'app=web' });
    expect(web.items.map((p) => p.metadata.name)).toEqual(['a']);
    const byField = await client.list('Pod', { fieldSelector: 'metadata.name=m3' });
    expect(byField.items.map((p) => p.metadata.namespace)).toEqual(['oc']);
    const one = await client.list('Pod', { namespace: 'oc', limit: 1 });
    expect(one.items).toHaveLength(1);
    const namespaces = await client.list('Namespace');
    expect(namespaces.items.map((n) => n.metadata.name)).toContain('oc');
    expect(await codeOf(client.list('Pod', { labelSelector: 'app in (' }))).toBe('INVALID_SELECTOR');
  });

  it('update replaces the object under its resourceVersion; a stale one is CONFLICT', async () => {
    const dep: Deployment = await client.create('Deployment', {
      metadata: { name: 'web', namespace: 'oc' },
      spec: { selector: { matchLabels: { app: 'w' } }, template: { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } } },
    });
    const updated = await client.update('Deployment', { ...dep, spec: { ...dep.spec, replicas: 4 } });
    expect(updated.spec.replicas).toBe(4);
    expect(await codeOf(client.update('Deployment', { ...dep, spec: { ...dep.spec, replicas: 5 } }))).toBe('CONFLICT');
    // updateVersion: the same update, answered with the new resourceVersion only.
    const version = await client.updateVersion('Deployment', { ...updated, spec: { ...updated.spec, replicas: 6 } });
    const stored = await client.get('Deployment', { namespace: 'oc', name: 'web' });
    expect(stored?.spec.replicas).toBe(6);
    expect(version).toBe(stored?.metadata.resourceVersion);
    expect(Number(version)).toBeGreaterThan(Number(updated.metadata.resourceVersion));
    expect(await codeOf(client.updateVersion('Deployment', { ...updated, spec: { ...updated.spec, replicas: 7 } }))).toBe('CONFLICT');
  });

  it('patch merges; with a stale resourceVersion it is CONFLICT; on a missing object NOT_FOUND', async () => {
    const p = await client.patch('Pod', { namespace: 'oc', name: 'm0' }, { metadata: { annotations: { x: '1' } } });
    expect(p.metadata.annotations).toEqual({ x: '1' });
    expect(await codeOf(client.patch('Pod', { namespace: 'oc', name: 'm0' }, { metadata: { annotations: { x: '2' } } }, { resourceVersion: '1' }))).toBe('CONFLICT');
    expect(await codeOf(client.patch('Pod', { namespace: 'oc', name: 'gone' }, {}))).toBe('NOT_FOUND');
  });

  it('updateStatus writes the status only, typed as the kind\'s status', async () => {
    const p = await client.updateStatus('Pod', { namespace: 'oc', name: 'm1' }, { phase: 'Running', podIP: '10.0.0.9' });
    expect(p.status).toMatchObject({ phase: 'Running', podIP: '10.0.0.9' });
    expect(p.spec.containers).toHaveLength(1);
    expect(await codeOf(client.updateStatus('Pod', { namespace: 'oc', name: 'm1' }, { phase: 'Sideways' as any }))).toBe('BAD_USER_INPUT');
  });

  it('delete answers the last state; a second delete is NOT_FOUND, which ignoreNotFound turns into undefined', async () => {
    const gone = await client.delete('Pod', { namespace: 'oc', name: 'm2' });
    expect(gone.metadata.name).toBe('m2');
    const again = client.delete('Pod', { namespace: 'oc', name: 'm2' });
    await expect(again).rejects.toSatisfy(isNotFound);
    expect(await ignoreNotFound(client.delete('Pod', { namespace: 'oc', name: 'm2' }))).toBeUndefined();
  });

  it('watch resumes from a revision with every change after it, typed by kind', async () => {
    const from = (await client.list('Pod', { namespace: 'oc' })).revision;
    await client.create('Pod', pod('w1'));
    await client.patch('Pod', { namespace: 'oc', name: 'w1' }, { metadata: { labels: { seen: 'yes' } } });
    await client.delete('Pod', { namespace: 'oc', name: 'w1' });
    const events: Array<WatchEvent<Pod>> = [];
    await new Promise<void>((done, fail) => {
      const sub = client.watch('Pod', { namespace: 'oc', fromRevision: from }).subscribe({
        next: (e) => {
          events.push(e);
          if (e.type === 'DELETED') {
            sub.unsubscribe();
            done();
          }
        },
        error: fail,
      });
    });
    expect(events.filter((e) => e.type !== 'BOOKMARK').map((e) => [e.type, e.object?.metadata.name])).toEqual([
      ['ADDED', 'w1'],
      ['MODIFIED', 'w1'],
      ['DELETED', 'w1'],
    ]);
    expect(await codeOf(new Promise((resolve, reject) => client.watch('Pod', { fromRevision: 10 ** 9 }).subscribe({ next: resolve, error: reject })))).toBe('BAD_USER_INPUT');
  });

  it('scale and bind write their subresources', async () => {
    const scaled = await client.scale('Deployment', { namespace: 'oc', name: 'web' }, 2);
    expect(scaled.spec.replicas).toBe(2);
    const node: Node = await client.create('Node', { metadata: { name: 'n1' } });
    expect(node.spec?.podCIDR).toMatch(/\//);
    const bound = await client.bind({ namespace: 'oc', name: 'm3' }, 'n1');
    expect(bound.spec.nodeName).toBe('n1');
  });

  it('batchedCreate sends concurrent creates in one document and answers each its object; one that fails fails alone', async () => {
    const documents: string[] = [];
    const counting: KubeqlClient = { ...transport, request: (query, variables) => (documents.push(query), transport.request(query, variables)) };
    const create = createObjectClient(counting).batchedCreate('Pod');
    await client.create('Pod', pod('bc-taken'));
    const names = ['bc-0', 'bc-1', 'bc-taken', 'bc-3'];
    const results = await Promise.allSettled(names.map((name, i) => create(pod(name, { batch: 'bc' }), `bc-request-${i}`)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason.code).toBe('ALREADY_EXISTS');
    const made = results.filter((r): r is PromiseFulfilledResult<Pod> => r.status === 'fulfilled').map((r) => r.value);
    expectTypeOf(made[0]).toEqualTypeOf<Pod>();
    expect(made.map((p) => p.metadata.name)).toEqual(['bc-0', 'bc-1', 'bc-3']);
    for (const p of made) expect(p.metadata.labels).toEqual({ batch: 'bc' });
    // The first document ended at bc-taken: bc-0 and bc-1 were asked again by requestId (answered, not made twice), bc-3 sent again.
    expect(documents[0]).toMatch(/m0: createPod\(.*m3: createPod\(/);
    const listed = await client.list('Pod', { namespace: 'oc', labelSelector: 'batch=bc' });
    expect(listed.items.map((p) => p.metadata.name).sort()).toEqual(['bc-0', 'bc-1', 'bc-3']);
    expect(new Set(made.map((p) => p.metadata.uid)).size).toBe(3);
    expect(listed.items.map((p) => p.metadata.uid).sort()).toEqual(made.map((p) => p.metadata.uid).sort());
  });

  it('refuses an unknown kind before any request', async () => {
    expect(await codeOf(client.get('Gadget' as 'Pod', { name: 'x' }))).toBe('BAD_USER_INPUT');
  });
});
