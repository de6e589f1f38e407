/**
 * The client's modules beyond objects, against a real API server: apply (all or nothing, dry run),
 * the audit log (paged, filtered, followed live through `log`), history across delete and
 * re-create, tokens (several per request, each acting as its identity), replay and the log head.
 * A refused request changes nothing.
 */
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifests } from '../../server/client/apply-manifests.js';
import { readAuditLog, watchLog } from '../../server/client/audit-log.js';
import { createKubeqlClient, type KubeqlClient } from '../../server/client/client.js';
import { ClientError } from '../../server/client/client-error.js';
import { createNodeTokens, createServiceAccountTokens } from '../../server/client/issue-tokens.js';
import { createObjectClient, type ObjectClient } from '../../server/client/object-client.js';
import { readHistory } from '../../server/client/object-history.js';
import { replay, replaySupport } from '../../server/client/replay-log.js';
import { snapshotTables, startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
let transport: KubeqlClient;
let client: ObjectClient;
const others: KubeqlClient[] = [];

async function refusal(p: Promise<unknown>): Promise<ClientError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ClientError);
    return e as ClientError;
  }
  throw new Error('expected an error');
}

const configMap = (name: string, data: Record<string, string>) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: bo\ndata:\n${Object.entries(data).map(([k, v]) => `  ${k}: "${v}"`).join('\n')}\n`;

beforeAll(async () => {
  api = await startTestApi();
  transport = createKubeqlClient({ server: api.server.url, token: api.token });
  client = createObjectClient(transport);
  await client.create('Namespace', { metadata: { name: 'bo' } });
});
afterAll(async () => {
  await Promise.all([transport, ...others].map((c) => c.close()));
  await api.close();
});

describe('apply', () => {
  it('creates, then reports unchanged; a dry run reports the change and writes nothing; a bad document fails them all, naming it, and leaves the log as it was', async () => {
    const first = await applyManifests(client, [configMap('a1', { k: 'v' }), configMap('a2', { k: 'v' })].join('---\n'));
    expect(first.objects.map((o) => [o.kind, o.namespace, o.name, o.action])).toEqual([
      ['ConfigMap', 'bo', 'a1', 'created'],
      ['ConfigMap', 'bo', 'a2', 'created'],
    ]);
    expect(first.revision).toBe(await client.revision());
    expect(first.objects[1].revision).toBe(first.revision);

    const again = await applyManifests(transport, configMap('a1', { k: 'v' }));
    expect(again.objects.map((o) => o.action)).toEqual(['unchanged']);
    expect(again.revision).toBe(first.revision);

    const dry = await applyManifests(client, configMap('a1', { k: 'changed' }), { dryRun: true });
    expect(dry.objects.map((o) => o.action)).toEqual(['configured']);
    expect(await client.revision()).toBe(first.revision);
    expect((await client.get('ConfigMap', { namespace: 'bo', name: 'a1' }))?.data).toEqual({ k: 'v' });

    const before = snapshotTables(api.db());
    const bad = await refusal(applyManifests(client, [configMap('a3', { k: 'v' }), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "Not A Name"\n  namespace: bo\n'].join('---\n')));
    expect(bad.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(bad.errors[0]?.extensions?.field)).toContain('manifests[1]');
    expect(snapshotTables(api.db())).toBe(before);
    expect(await client.get('ConfigMap', { namespace: 'bo', name: 'a3' })).toBeUndefined();
  });
});

describe('the audit log', () => {
  it('reads every matching entry across pages, in revision order; limit and withObject do what they say', async () => {
    for (let i = 0; i < 5; i++) await client.create('ConfigMap', { metadata: { name: `au${i}`, namespace: 'bo' }, data: { i: String(i) } });
    const filter = { kind: 'ConfigMap', namespace: 'bo', verb: 'create' };
    const all = await readAuditLog(client, filter, { pageSize: 2 });
    const names = all.map((e) => e.name);
    expect(names.filter((n) => n.startsWith('au'))).toEqual(['au0', 'au1', 'au2', 'au3', 'au4']);
    expect(all.every((e) => e.kind === 'ConfigMap' && e.verb === 'create' && e.actor === 'admin' && e.type === 'ADDED')).toBe(true);
    expect(all.map((e) => e.revision)).toEqual([...all.map((e) => e.revision)].sort((a, b) => a - b));
    expect(all[0].object).toBeUndefined();

    let pages = 0;
    const some = await readAuditLog(transport, filter, { limit: 3, pageSize: 2, withObject: true, onPage: () => pages++ });
    expect(some.map((e) => e.name)).toEqual(names.slice(0, 3));
    expect(pages).toBe(2);
    expect((some[0].object as { kind?: string }).kind).toBe('ConfigMap');
  });

  it('follows the log as it grows, from a revision, filtered', async () => {
    const from = await client.revision();
    const entries = firstValueFrom(watchLog(client, { namespace: 'bo', kind: 'ConfigMap' }, { fromRevision: from, withObject: true }).pipe(take(2), toArray()));
    await client.create('Namespace', { metadata: { name: 'bo-other' } });
    await client.create('ConfigMap', { metadata: { name: 'live1', namespace: 'bo' } });
    await client.patch('ConfigMap', { namespace: 'bo', name: 'live1' }, { data: { x: 'y' } });
    const [created, patched] = await entries;
    expect([created.name, created.verb, created.type]).toEqual(['live1', 'create', 'ADDED']);
    expect([patched.name, patched.verb, patched.type]).toEqual(['live1', 'patch', 'MODIFIED']);
    expect(created.revision).toBeGreaterThan(from);
    expect((patched.object as { data?: unknown }).data).toEqual({ x: 'y' });
  });
});

describe('history', () => {
  it('every version of one name, oldest first, across delete and re-create, each with its change', async () => {
    const key = { namespace: 'bo', name: 'h1' };
    await client.create('ConfigMap', { metadata: { name: 'h1', namespace: 'bo' }, data: { v: '1' } });
    await client.patch('ConfigMap', key, { data: { v: '2' } });
    await client.delete('ConfigMap', key);
    await client.create('ConfigMap', { metadata: { name: 'h1', namespace: 'bo' }, data: { v: '3' } });
    const versions = await readHistory(client, 'ConfigMap', key);
    expect(versions.map((v) => [v.verb, v.type])).toEqual([
      ['create', 'ADDED'],
      ['patch', 'MODIFIED'],
      ['delete', 'DELETED'],
      ['create', 'ADDED'],
    ]);
    expect(new Set(versions.map((v) => v.uid)).size).toBe(2);
    expect(versions[1].patch).toContainEqual({ op: 'replace', path: '/data/v', value: '2' });
    expect(await readHistory(client, 'ConfigMap', { namespace: 'bo', name: 'never-made' })).toEqual([]);
  });
});

describe('tokens', () => {
  it('issues several per request, in order, each acting as its own identity', async () => {
    await client.create('Namespace', { metadata: { name: 'bo-sa' } });
    for (const name of ['s1', 's2', 's3']) await client.create('ServiceAccount', { metadata: { name, namespace: 'bo-sa' } });
    const accounts = ['s1', 's2', 's3'].map((name) => ({ namespace: 'bo-sa', name }));
    const issued = await createServiceAccountTokens(client, accounts, { perRequest: 2 });
    expect(issued.map((t) => t.identity)).toEqual(accounts.map((a) => `system:serviceaccount:bo-sa:${a.name}`));
    expect(new Set(issued.map((t) => t.token)).size).toBe(3);
    // Each token is its identity: the account may read nothing it was not granted.
    const asS2 = createKubeqlClient({ server: api.server.url, token: issued[1].token });
    others.push(asS2);
    expect((await refusal(createObjectClient(asS2).list('Secret', { namespace: 'bo' }))).code).toBe('FORBIDDEN');

    const nodes = await createNodeTokens(client, ['bo-n1', 'bo-n2', 'bo-n3'], { perRequest: 2 });
    expect(nodes.map((t) => t.identity)).toEqual(['system:node:bo-n1', 'system:node:bo-n2', 'system:node:bo-n3']);
  });

  it('a token for an account that does not exist is refused, and nothing is issued', async () => {
    const before = (api.db().prepare(`SELECT count(*) AS n FROM credential_events WHERE action = 'issue'`).get() as { n: number }).n;
    const error = await refusal(createServiceAccountTokens(client, [{ namespace: 'bo-sa', name: 'nobody' }]));
    expect(error.code).toBe('NOT_FOUND');
    expect((api.db().prepare(`SELECT count(*) AS n FROM credential_events WHERE action = 'issue'`).get() as { n: number }).n).toBe(before);
  });
});

describe('replay', () => {
  it('verifies the projections against the log through the server\'s own replay', async () => {
    const support = await replaySupport(client);
    expect(support?.takesVerify).toBe(true);
    const result = (await replay(client, support!, { verify: true })) as { match?: boolean; revision?: number; digest?: string };
    expect(result.match).toBe(true);
    expect(result.revision).toBe(await client.revision());
    expect(result.digest).toMatch(/\S/);
  });
});
