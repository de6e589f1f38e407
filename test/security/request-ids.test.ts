/**
 * Request ids are per identity: another identity reusing an id gets its own request done (never the
 * first identity's object), an id spent first by an attacker does not swallow the victim's later
 * write, and the same identity reusing an id for a different request gets CONFLICT with the log
 * unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotTables, startTestApi, type TestApi } from '../support/api.js';
import { makeIdentity } from '../support/identities.js';

let api: TestApi;
let alice: string;
let mallory: string;

const CREATE = `mutation($i: PodInput!, $r: String) { createPod(input: $i, requestId: $r) { metadata { namespace name uid } } }`;
const PATCH = `mutation($ns: String!, $n: String!, $p: JSON!, $r: String) { patchPod(namespace: $ns, name: $n, patch: $p, requestId: $r) { metadata { namespace name labels } } }`;
const APPLY = `mutation($m: String!, $r: String) { apply(manifests: $m, requestId: $r) { objects { namespace name action } } }`;
const pod = (namespace: string, name: string, extra: Record<string, unknown> = {}) => ({ metadata: { name, namespace, ...extra }, spec: { containers: [{ name: 'c', image: 'i' }] } });
const podYaml = (namespace: string, name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', ...pod(namespace, name) });
const head = async () => (await api.ok('{ revision }')).revision as number;
const exists = async (ns: string, name: string) => (await api.ok(`{ pod(namespace: "${ns}", name: "${name}") { metadata { name } } }`)).pod !== null;

beforeAll(async () => {
  api = await startTestApi();
  for (const ns of ['alice-ns', 'mallory-ns']) await api.ok(`mutation { createNamespace(input: { metadata: { name: "${ns}" } }) { metadata { name } } }`);
  const editor = (ns: string) => [{ namespace: ns, rules: [{ apiGroups: [''], resources: ['pods', 'services'], verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'] }] }];
  alice = await makeIdentity(api, 'alice', editor('alice-ns'));
  mallory = await makeIdentity(api, 'mallory', editor('mallory-ns'));
});
afterAll(() => api.close());

describe('request ids across identities', () => {
  it("another identity reusing an id gets its own object, never the first identity's", async () => {
    const first = await api.gqlAs(alice, CREATE, { i: pod('alice-ns', 'secret-pod'), r: 'shared-1' });
    expect(first.errors).toBeUndefined();
    const h = await head();
    const other = await api.gqlAs(mallory, CREATE, { i: pod('mallory-ns', 'probe'), r: 'shared-1' });
    expect(other.errors).toBeUndefined();
    expect(other.data.createPod.metadata).toMatchObject({ namespace: 'mallory-ns', name: 'probe' });
    expect(other.data.createPod.metadata.uid).not.toBe(first.data.createPod.metadata.uid);
    expect(await head()).toBe(h + 1);
  });

  it("an id spent first by an attacker does not swallow the victim's later create, patch or apply", async () => {
    await api.gqlAs(mallory, CREATE, { i: pod('mallory-ns', 'decoy'), r: 'victim-create' });
    await api.gqlAs(mallory, PATCH, { ns: 'mallory-ns', n: 'decoy', p: { metadata: { labels: { a: '1' } } }, r: 'victim-patch' });
    await api.gqlAs(mallory, APPLY, { m: podYaml('mallory-ns', 'decoy-2'), r: 'victim-apply' });

    const created = await api.gqlAs(alice, CREATE, { i: pod('alice-ns', 'real'), r: 'victim-create' });
    expect(created.errors).toBeUndefined();
    expect(created.data.createPod.metadata).toMatchObject({ namespace: 'alice-ns', name: 'real' });
    expect(await exists('alice-ns', 'real')).toBe(true);

    const patched = await api.gqlAs(alice, PATCH, { ns: 'alice-ns', n: 'real', p: { metadata: { labels: { b: '2' } } }, r: 'victim-patch' });
    expect(patched.errors).toBeUndefined();
    expect(patched.data.patchPod.metadata.labels).toEqual({ b: '2' });

    const applied = await api.gqlAs(alice, APPLY, { m: podYaml('alice-ns', 'applied'), r: 'victim-apply' });
    expect(applied.errors).toBeUndefined();
    expect(applied.data.apply.objects).toEqual([{ namespace: 'alice-ns', name: 'applied', action: 'created' }]);
    expect(await exists('alice-ns', 'applied')).toBe(true);
  });

  it('the same identity retrying the same request gets the first result and appends nothing', async () => {
    const first = await api.gqlAs(alice, CREATE, { i: pod('alice-ns', 'retried'), r: 'retry-1' });
    const h = await head();
    const again = await api.gqlAs(alice, CREATE, { i: pod('alice-ns', 'retried'), r: 'retry-1' });
    expect(again.data).toEqual(first.data);
    const generated = await api.gqlAs(alice, CREATE, { i: pod('alice-ns', '', { generateName: 'gen-' }), r: 'retry-gen' });
    const generatedAgain = await api.gqlAs(alice, CREATE, { i: pod('alice-ns', '', { generateName: 'gen-' }), r: 'retry-gen' });
    expect(generatedAgain.data).toEqual(generated.data);
    expect(await head()).toBe(h + 1);
  });

  it('the same identity reusing an id for a different request gets CONFLICT and changes nothing', async () => {
    await api.gqlAs(alice, CREATE, { i: pod('alice-ns', 'once'), r: 'used' });
    await api.gqlAs(alice, APPLY, { m: podYaml('alice-ns', 'applied-once'), r: 'used-apply' });
    const attempts: Array<[string, Record<string, unknown>]> = [
      [CREATE, { i: pod('alice-ns', 'other-name'), r: 'used' }],
      [CREATE, { i: pod('alice-ns', '', { generateName: 'once-' }), r: 'used' }],
      [PATCH, { ns: 'alice-ns', n: 'once', p: { metadata: { labels: { x: 'y' } } }, r: 'used' }],
      [`mutation { deletePod(namespace: "alice-ns", name: "once", requestId: "used") { metadata { name } } }`, {}],
      [`mutation { createService(input: { metadata: { name: "once", namespace: "alice-ns" }, spec: { ports: [{ port: 80 }] } }, requestId: "used") { metadata { name } } }`, {}],
      [APPLY, { m: podYaml('alice-ns', 'once'), r: 'used' }],
      [APPLY, { m: podYaml('alice-ns', 'another'), r: 'used-apply' }],
      [CREATE, { i: pod('alice-ns', 'applied-once'), r: 'used-apply' }],
    ];
    const before = snapshotTables(api.db());
    for (const [query, variables] of attempts) {
      const res = await api.gqlAs(alice, query, variables);
      expect(res.errors?.[0].extensions, query).toMatchObject({ code: 'CONFLICT', field: 'requestId' });
    }
    expect(snapshotTables(api.db())).toBe(before);
    expect(await exists('alice-ns', 'once')).toBe(true);
  });
});
