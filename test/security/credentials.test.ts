/**
 * Credentials have a lifecycle: a ServiceAccount's tokens end with the account (also when it is
 * re-created with a new uid); tokens can be revoked, by those allowed to; issuing and revoking are
 * in the credentials' audit record (never the token or its hash); lifetimes have a maximum. And
 * NodeRestriction: a node may not set restricted labels (node-role.kubernetes.io/*) on itself.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotTables, startTestApi, type TestApi } from '../support/api.js';
import { makeIdentity } from '../support/identities.js';
import { rawConnect } from '../support/raw-ws.js';

let api: TestApi;

const MINT = `mutation($ns: String!, $n: String!, $e: Int) { createServiceAccountToken(namespace: $ns, name: $n, expirationSeconds: $e) { token id identity expiresAt } }`;
const REVOKE = `mutation($ns: String!, $n: String!, $id: String!) { revokeServiceAccountToken(namespace: $ns, name: $n, id: $id) { id identity issuedBy revokedAt revokedBy } }`;
const WHOAMI = `{ revision }`;
const works = async (token: string) => {
  const res = await api.gqlAs(token, WHOAMI);
  return res.errors?.[0]?.extensions?.code ?? 'ok';
};
const sa = (ns: string, name: string) => api.ok(`mutation { createServiceAccount(input: { metadata: { name: "${name}", namespace: "${ns}" } }) { metadata { uid } } }`);
const deleteSa = (ns: string, name: string) => api.ok(`mutation { deleteServiceAccount(namespace: "${ns}", name: "${name}") { metadata { name } } }`);
const mint = async (ns: string, name: string, expirationSeconds?: number) => (await api.ok(MINT, { ns, n: name, e: expirationSeconds })).createServiceAccountToken;

beforeAll(async () => {
  api = await startTestApi();
  await api.ok(`mutation { createNamespace(input: { metadata: { name: "apps" } }) { metadata { name } } }`);
});
afterAll(() => api.close());

describe('ServiceAccount tokens', () => {
  it('stop working when the account is deleted, and stay dead when it is re-created with a new uid', async () => {
    await sa('apps', 'robot');
    const old = await mint('apps', 'robot');
    expect(await works(old.token)).toBe('ok');
    await deleteSa('apps', 'robot');
    expect(await works(old.token)).toBe('UNAUTHENTICATED');
    await sa('apps', 'robot');
    expect(await works(old.token)).toBe('UNAUTHENTICATED');
    const fresh = await mint('apps', 'robot');
    expect(await works(fresh.token)).toBe('ok');
    // Over WebSocket too: connection_init with the dead token is refused.
    const conn = await rawConnect(api.server.url);
    conn.send({ type: 'connection_init', payload: { authorization: `Bearer ${old.token}` } });
    expect((await conn.closed).code).toBe(4403);
  });

  it('can be revoked by id, by an identity allowed to delete serviceaccounts/token, over HTTP and for new WebSocket operations', async () => {
    await sa('apps', 'worker');
    const victim = await mint('apps', 'worker');
    const other = await mint('apps', 'worker');
    const revoker = await makeIdentity(api, 'revoker', [{ namespace: 'apps', rules: [{ apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['delete'] }] }]);
    const minter = await makeIdentity(api, 'minter', [{ namespace: 'apps', rules: [{ apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] }] }]);

    // A WebSocket opened with the token before it is revoked.
    const conn = await rawConnect(api.server.url);
    await conn.init({ authorization: `Bearer ${victim.token}` });

    const denied = await api.gqlAs(minter, REVOKE, { ns: 'apps', n: 'worker', id: victim.id });
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await works(victim.token)).toBe('ok');
    // An id of another account's token is not found under this one.
    const elsewhere = await api.gqlAs(revoker, REVOKE, { ns: 'apps', n: 'robot', id: victim.id });
    expect(elsewhere.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await api.gqlAs(revoker, REVOKE, { ns: 'apps', n: 'worker', id: 'no-such-id' })).errors?.[0].extensions?.code).toBe('NOT_FOUND');

    const revoked = await api.gqlAs(revoker, REVOKE, { ns: 'apps', n: 'worker', id: victim.id });
    expect(revoked.errors).toBeUndefined();
    expect(revoked.data.revokeServiceAccountToken).toMatchObject({ id: victim.id, identity: 'system:serviceaccount:apps:worker', issuedBy: 'admin', revokedBy: 'system:serviceaccount:default:revoker' });
    expect(await works(victim.token)).toBe('UNAUTHENTICATED');
    expect(await works(other.token)).toBe('ok');

    conn.subscribe('after', `subscription { watch(kind: Pod, namespace: "apps") { type } }`);
    await conn.waitFor(() => conn.of('after').some((m) => m.type === 'error'));
    expect(conn.of('after')[0].payload[0].extensions.code).toBe('UNAUTHENTICATED');
    conn.close();
  });

  it('issuing and revoking are in the audit record, with who and when, never the token or its hash', async () => {
    await sa('apps', 'audited');
    const issued = await mint('apps', 'audited');
    await api.ok(REVOKE, { ns: 'apps', n: 'audited', id: issued.id });
    const res = await api.ok(`{ credentialEvents(identity: "system:serviceaccount:apps:audited") { id ts actor action tokenId identity expiresAt } }`);
    expect(res.credentialEvents.map((e: any) => [e.action, e.actor, e.tokenId])).toEqual([
      ['issue', 'admin', issued.id],
      ['revoke', 'admin', issued.id],
    ]);
    expect(res.credentialEvents[0].expiresAt).toBe(issued.expiresAt);
    const hash = createHash('sha256').update(issued.token).digest('hex');
    const everything = JSON.stringify((await api.ok(`{ credentialEvents(first: 1000) { id actor action tokenId identity } }`)).credentialEvents);
    const db = api.db();
    const logged = JSON.stringify([db.prepare('SELECT * FROM credential_events').all(), db.prepare('SELECT * FROM events').all()]);
    for (const secret of [issued.token, hash]) {
      expect(everything).not.toContain(secret);
      expect(logged).not.toContain(secret);
    }
    // Reading it needs the verb audit (on kubeql.io/log).
    const nobody = await makeIdentity(api, 'nobody', []);
    expect((await api.gqlAs(nobody, `{ credentialEvents { id } }`)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('expire: at most 48 h by default (longer requests are cut to it), 48 h when not asked, at least 10 minutes', async () => {
    await sa('apps', 'timed');
    const hours = (iso: string) => (Date.parse(iso) - Date.now()) / 3_600_000;
    const asked = await mint('apps', 'timed', 10 * 365 * 24 * 3600);
    expect(hours(asked.expiresAt)).toBeGreaterThan(47.9);
    expect(hours(asked.expiresAt)).toBeLessThanOrEqual(48);
    expect(hours((await mint('apps', 'timed')).expiresAt)).toBeGreaterThan(47.9);
    expect(hours((await mint('apps', 'timed', 3600)).expiresAt)).toBeLessThanOrEqual(1);
    const tooShort = await api.gql(MINT, { ns: 'apps', n: 'timed', e: 60 });
    expect(tooShort.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'expirationSeconds' });
  });

  it('the maximum is configurable', async () => {
    const small = await startTestApi({ maxTokenExpirationSeconds: 3600 });
    try {
      await small.ok(`mutation { createServiceAccount(input: { metadata: { name: "s", namespace: "default" } }) { metadata { uid } } }`);
      const issued = (await small.ok(MINT, { ns: 'default', n: 's', e: 86400 })).createServiceAccountToken;
      expect(Date.parse(issued.expiresAt) - Date.now()).toBeLessThanOrEqual(3600_000);
    } finally {
      await small.close();
    }
  });
});

describe('node tokens and NodeRestriction', () => {
  const CREATE_NODE = `mutation($i: NodeInput!) { createNode(input: $i) { metadata { name labels } } }`;
  const PATCH_NODE = `mutation($n: String!, $p: JSON!) { patchNode(name: $n, patch: $p) { metadata { labels } } }`;
  const APPLY = `mutation($m: String!) { apply(manifests: $m) { revision } }`;

  it('a node may not set, change or remove restricted labels on its own Node; the labels a kubelet sets are fine', async () => {
    const node = (await api.ok(`mutation { createNodeToken(nodeName: "w1") { token id } }`)).createNodeToken;
    const as = (query: string, variables: Record<string, unknown>) => api.gqlAs(node.token, query, variables).then((r) => r.errors?.[0]?.extensions?.code ?? 'ok');
    const refusedUnchanged = async (query: string, variables: Record<string, unknown>) => {
      const before = snapshotTables(api.db());
      expect(await as(query, variables), JSON.stringify(variables)).toBe('FORBIDDEN');
      expect(snapshotTables(api.db())).toBe(before);
    };
    await refusedUnchanged(CREATE_NODE, { i: { metadata: { name: 'w1', labels: { 'node-role.kubernetes.io/control-plane': '' } } } });
    await refusedUnchanged(APPLY, { m: JSON.stringify({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'w1', labels: { 'node-role.kubernetes.io/master': 'true' } } }) });
    const kubeletLabels = { 'kubernetes.io/hostname': 'w1', 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': 'z1', 'node.kubernetes.io/instance-type': 'sim', 'example.com/team': 'a' };
    expect(await as(CREATE_NODE, { i: { metadata: { name: 'w1', labels: kubeletLabels } } })).toBe('ok');
    for (const key of ['node-role.kubernetes.io/worker', 'node-restriction.kubernetes.io/trusted', 'kubernetes.io/role', 'k8s.io/anything', 'x.node-restriction.kubernetes.io/y'])
      await refusedUnchanged(PATCH_NODE, { n: 'w1', p: { metadata: { labels: { [key]: 'true' } } } });
    expect(await as(PATCH_NODE, { n: 'w1', p: { metadata: { labels: { 'example.com/team': 'b', 'kubelet.kubernetes.io/x': 'y' } } } })).toBe('ok');

    // An administrator's restricted label stays: the node may change other labels, not that one.
    await api.ok(PATCH_NODE, { n: 'w1', p: { metadata: { labels: { 'node-role.kubernetes.io/worker': '' } } } });
    expect(await as(PATCH_NODE, { n: 'w1', p: { metadata: { labels: { 'example.com/team': 'c' } } } })).toBe('ok');
    await refusedUnchanged(PATCH_NODE, { n: 'w1', p: { metadata: { labels: { 'node-role.kubernetes.io/worker': null } } } });
  });

  it('node tokens can be revoked (by delete on nodes/token); they are not bound to the Node object, as a kubelet re-registers its Node', async () => {
    const node = (await api.ok(`mutation { createNodeToken(nodeName: "w2") { token id } }`)).createNodeToken;
    expect((await api.gqlAs(node.token, `mutation { createNode(input: { metadata: { name: "w2" } }) { metadata { name } } }`)).errors).toBeUndefined();
    await api.ok(`mutation { deleteNode(name: "w2") { metadata { name } } }`);
    expect((await api.gqlAs(node.token, `mutation { createNode(input: { metadata: { name: "w2" } }) { metadata { name } } }`)).errors).toBeUndefined();
    const minter = await makeIdentity(api, 'node-minter', [{ namespace: '*', rules: [{ apiGroups: [''], resources: ['nodes/token'], verbs: ['create'] }] }]);
    const revoke = `mutation($id: String!) { revokeNodeToken(nodeName: "w2", id: $id) { revokedBy } }`;
    expect((await api.gqlAs(minter, revoke, { id: node.id })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await api.ok(revoke, { id: node.id })).revokeNodeToken.revokedBy).toBe('admin');
    expect(await works(node.token)).toBe('UNAUTHENTICATED');
  });
});
