import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotTables, startTestApi, type TestApi } from '../support/api.js';
import { makeIdentity } from '../support/identities.js';
import { GAME_DEMO_CONFIGMAP, STRING_DATA_SECRET, TEST_SECRET } from '../support/manifests.js';
import { wsClient } from '../support/watch-client.js';

const APPLY = `mutation($m: String!) { apply(manifests: $m) { objects { kind name action } warnings } }`;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const CONFIG_YAML = 'apiUrl: "https://my.api.com/api/v1"\nusername: <user>\npassword: <password>\n';
/** Every secret value these tests write, encoded and in the clear. */
const SECRET_VALUES = ['bXktYXBw', 'Mzk1MjgkdmRnN0pi', '39528$vdg7Jb', b64(CONFIG_YAML), 'https://my.api.com', b64('s3cr3t-rotated'), 's3cr3t-rotated'];

function expectNoSecretIn(value: unknown): void {
  const text = JSON.stringify(value);
  for (const v of SECRET_VALUES) expect(text, `found ${v}`).not.toContain(v);
}

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  await api.ok(APPLY, { m: [TEST_SECRET, STRING_DATA_SECRET, GAME_DEMO_CONFIGMAP].join('---\n') });
  // A change of a value, to show up in history and the log.
  await api.ok(`mutation { patchSecret(namespace: "default", name: "test-secret", patch: { data: { password: "${b64('s3cr3t-rotated')}" } }) { metadata { resourceVersion } } }`);
  // And an apply of a changed manifest, so last-applied-configuration changes too.
  await api.ok(APPLY, { m: STRING_DATA_SECRET.replace('<user>', 'admin') });
});
afterAll(() => api.close());

/** Sends a request that must fail and leave every table as it was; returns its first error. */
async function rejected(document: string, variables: Record<string, unknown>) {
  const before = snapshotTables(api.db());
  const res = await api.gql(document, variables);
  expect(res.errors?.length, JSON.stringify(res)).toBeGreaterThan(0);
  expect(snapshotTables(api.db())).toBe(before);
  return res.errors![0];
}

describe('ConfigMap', () => {
  it('the documentation example applies unchanged and reads back as written', async () => {
    const res = await api.ok(`{ configMap(namespace: "default", name: "game-demo") { data } }`);
    expect(res.configMap.data.player_initial_lives).toBe('3');
    expect(res.configMap.data['game.properties']).toContain('enemy.types=aliens,monsters');
  });

  it('refuses bad keys, binaryData that is not base64, a key in both maps, and changes to an immutable one', async () => {
    let e = await rejected(APPLY, { m: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: bad }\ndata: { "a b": x }\n' });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'manifests[0].data["a b"]' });
    e = await rejected(APPLY, { m: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: bad }\ndata: { "..x": x }\n' });
    expect(e.message).toContain("must not start with '..'");
    e = await rejected(APPLY, { m: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: bad }\nbinaryData: { k: "not base64!" }\n' });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'manifests[0].binaryData.k' });
    e = await rejected(APPLY, { m: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: bad }\ndata: { k: x }\nbinaryData: { k: eA== }\n' });
    expect(e.message).toContain('duplicate of key "k" present in data');
    await api.ok(APPLY, { m: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: frozen }\nimmutable: true\ndata: { k: x }\n' });
    e = await rejected(`mutation { patchConfigMap(namespace: "default", name: "frozen", patch: { data: { k: "y" } }) { metadata { name } } }`, {});
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'patch.data' });
    e = await rejected(`mutation { patchConfigMap(namespace: "default", name: "frozen", patch: { immutable: false }) { metadata { name } } }`, {});
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'patch.immutable' });
  });

  it('refuses more than 1 MiB of data', async () => {
    const e = await rejected(`mutation($i: ConfigMapInput!) { createConfigMap(input: $i) { metadata { name } } }`, {
      i: { metadata: { name: 'huge' }, data: { a: 'x'.repeat(600_000), b: 'y'.repeat(600_000) } },
    });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.data' });
    expect(e.message).toContain('must have at most 1048576 bytes');
  });
});

describe('Secret', () => {
  it('keeps data as base64, folds stringData into data and defaults type Opaque', async () => {
    const res = await api.ok(`{ a: secret(namespace: "default", name: "test-secret") { type data } b: secret(namespace: "default", name: "mysecret") { type data stringData manifest } }`);
    expect(res.a).toEqual({ type: 'Opaque', data: { username: 'bXktYXBw', password: b64('s3cr3t-rotated') } });
    expect(res.b.type).toBe('Opaque');
    expect(Buffer.from(res.b.data['config.yaml'], 'base64').toString()).toBe(CONFIG_YAML.replace('<user>', 'admin'));
    expect(res.b.stringData).toBeNull();
    expect(res.b.manifest.stringData).toBeUndefined();
  });

  it('refuses data that is not base64 without echoing the value, and the known types without their keys', async () => {
    let e = await rejected(APPLY, { m: 'apiVersion: v1\nkind: Secret\nmetadata: { name: bad }\ndata: { password: "hunter2!" }\n' });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'manifests[0].data.password' });
    expect(e.message).not.toContain('hunter2');
    e = await rejected(APPLY, { m: 'apiVersion: v1\nkind: Secret\nmetadata: { name: bad }\ntype: kubernetes.io/basic-auth\ndata: { other: eA== }\n' });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'manifests[0].data.username' });
    e = await rejected(APPLY, { m: 'apiVersion: v1\nkind: Secret\nmetadata: { name: bad }\ntype: kubernetes.io/tls\nstringData: { tls.crt: x }\n' });
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'manifests[0].data["tls.key"]' });
    e = await rejected(APPLY, { m: 'apiVersion: v1\nkind: Secret\nmetadata: { name: bad }\ntype: kubernetes.io/dockerconfigjson\nstringData: { .dockerconfigjson: "{not json" }\n' });
    expect(e.message).toContain('must be valid JSON');
    expect(e.message).not.toContain('{not json');
    e = await rejected(`mutation { patchSecret(namespace: "default", name: "test-secret", patch: { type: "kubernetes.io/basic-auth" }) { metadata { name } } }`, {});
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'patch.type' });
  });

  it('accepts the known types with their keys', async () => {
    const res = await api.ok(APPLY, {
      m: 'apiVersion: v1\nkind: Secret\nmetadata: { name: basic }\ntype: kubernetes.io/basic-auth\nstringData: { username: admin, password: t0p-Secret }\n---\napiVersion: v1\nkind: Secret\nmetadata: { name: tls }\ntype: kubernetes.io/tls\ndata: { tls.crt: eA==, tls.key: eQ== }\n',
    });
    expect(res.apply.objects.map((o: any) => o.action)).toEqual(['created', 'created']);
  });
});

describe('Secrets are redacted on every read path that is not a read of Secrets', () => {
  it('apply answers kinds, names and actions, never a value', async () => {
    const res = await api.gql(APPLY, { m: TEST_SECRET.replace('bXktYXBw', 'bXktYXBwLTI=') });
    expect(res.data.apply.objects).toEqual([{ kind: 'Secret', name: 'test-secret', action: 'configured' }]);
    expect(JSON.stringify(res)).not.toContain('bXktYXBw');
    await api.ok(APPLY, { m: TEST_SECRET });
  });

  it('the audit log shows Secrets with their values redacted, and ConfigMaps as they are', async () => {
    const res = await api.ok(`{ auditLog(filter: { kind: Secret }, first: 100) { edges { node { name verb object } } } }`);
    const entries = res.auditLog.edges.map((e: any) => e.node);
    expect(entries.length).toBeGreaterThanOrEqual(4);
    expectNoSecretIn(entries);
    const first = entries.find((e: any) => e.name === 'test-secret');
    expect(first.object.data).toEqual({ username: '<redacted>', password: '<redacted>' });
    const applied = JSON.parse(first.object.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    expect(applied.data).toEqual({ username: '<redacted>', password: '<redacted>' });
    const all = await api.ok(`{ auditLog(first: 1000) { edges { node { kind object } } } }`);
    expectNoSecretIn(all);
    const cm = all.auditLog.edges.find((e: any) => e.node.kind === 'ConfigMap');
    expect(cm.node.object.data.player_initial_lives).toBe('3');
  });

  it('history shows each version and each change redacted, yet says which key changed', async () => {
    const res = await api.ok(`{ a: history(kind: Secret, namespace: "default", name: "test-secret") { edges { node { verb object patch } } }
                               b: history(kind: Secret, namespace: "default", name: "mysecret") { edges { node { verb object patch } } } }`);
    expectNoSecretIn(res);
    const patch = res.a.edges[1].node.patch;
    expect(patch).toContainEqual({ op: 'replace', path: '/data/password', value: '<redacted>' });
    const applied = res.b.edges[1].node.patch.find((op: any) => op.path.includes('last-applied-configuration'));
    expect(JSON.parse(applied.value).stringData).toEqual({ 'config.yaml': '<redacted>' });
  });

  it('the log subscription delivers Secrets redacted', async () => {
    const client: Client = wsClient(api.server.url);
    try {
      const entries: any[] = [];
      const head = (await api.ok(`{ revision }`)).revision;
      await new Promise<void>((resolve, reject) => {
        const stop = client.subscribe<any>(
          { query: `subscription { log(filter: { kind: Secret, toRevision: ${head} }, fromRevision: 0) { name object } }` },
          { next: (m) => (m.errors ? reject(new Error(JSON.stringify(m.errors))) : entries.push(m.data.log)), error: reject, complete: resolve },
        );
        setTimeout(() => (stop(), reject(new Error('the log subscription did not complete'))), 20_000).unref();
      });
      expect(entries.length).toBeGreaterThanOrEqual(4);
      expectNoSecretIn(entries);
    } finally {
      await client.dispose();
    }
  });

  it("a node reads a Secret or ConfigMap by name only when a pod bound to it references it (the node authorizer's graph)", async () => {
    const token = async (node: string) => (await api.ok(`mutation($n: String!) { createNodeToken(nodeName: $n) { token } }`, { n: node })).createNodeToken.token;
    const [n1, n2] = [await token('n1'), await token('n2')];
    const get = (t: string, field: string, name: string) => api.gqlAs(t, `{ o: ${field}(namespace: "default", name: "${name}") { metadata { name } } }`);
    // Asked before any pod references it: refused, and the graph is built then; later binds must reach it.
    expect((await get(n1, 'secret', 'test-secret')).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const consumer = (name: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata: { name: ${name} }\nspec: { containers: [{ name: c, image: nginx, envFrom: [{ secretRef: { name: test-secret } }, { configMapRef: { name: game-demo } }] }] }\n`;
    await api.ok(APPLY, { m: consumer('consumer') });
    expect((await get(n1, 'secret', 'test-secret')).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    await api.ok(`mutation { bindPod(namespace: "default", name: "consumer", nodeName: "n1") { metadata { name } } }`);
    expect((await get(n1, 'secret', 'test-secret')).data?.o.metadata.name).toBe('test-secret');
    expect((await get(n1, 'configMap', 'game-demo')).data?.o.metadata.name).toBe('game-demo');
    // Not referenced by its pods; another node's pod; lists and watches: refused.
    expect((await get(n1, 'secret', 'mysecret')).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await get(n2, 'secret', 'test-secret')).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await get(n2, 'configMap', 'game-demo')).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const list = await api.gqlAs(n1, `{ secrets(namespace: "default") { edges { node { data } } } }`);
    expect(JSON.stringify(list)).not.toContain('bXktYXBw');
    // Two pods on n1 reference it: it stays readable until the last of them is gone.
    await api.ok(APPLY, { m: consumer('second-consumer') });
    await api.ok(`mutation { bindPod(namespace: "default", name: "second-consumer", nodeName: "n1") { metadata { name } } }`);
    await api.ok(`mutation { deletePod(namespace: "default", name: "consumer", gracePeriodSeconds: 0) { metadata { name } } }`);
    expect((await get(n1, 'secret', 'test-secret')).data?.o.metadata.name).toBe('test-secret');
    await api.ok(`mutation { deletePod(namespace: "default", name: "second-consumer", gracePeriodSeconds: 0) { metadata { name } } }`);
    expect((await get(n1, 'secret', 'test-secret')).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await get(n1, 'configMap', 'game-demo')).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('the built-in view role reads ConfigMaps but not Secrets; edit reads both', async () => {
    const bind = (who: string, role: string) =>
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: { name: ${who}-${role}, namespace: default }\nroleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role} }\nsubjects: [{ kind: ServiceAccount, name: ${who}, namespace: default }]\n`;
    const viewer = await makeIdentity(api, 'viewer', []);
    const editor = await makeIdentity(api, 'editor', []);
    await api.ok(APPLY, { m: `${bind('viewer', 'view')}---\n${bind('editor', 'edit')}` });
    const READ = `{ secret(namespace: "default", name: "test-secret") { data } }`;
    const denied = await api.gqlAs(viewer, READ);
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const list = await api.gqlAs(viewer, `{ secrets(namespace: "default") { edges { node { data } } } }`);
    expect(JSON.stringify(list)).not.toContain('bXktYXBw');
    expect((await api.gqlAs(viewer, `{ configMap(namespace: "default", name: "game-demo") { metadata { name } } }`)).data.configMap.metadata.name).toBe('game-demo');
    expect((await api.gqlAs(editor, READ)).data.secret.data.username).toBe('bXktYXBw');
  });
});
