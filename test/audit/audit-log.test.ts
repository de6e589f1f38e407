import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_POD, POD, snapshotTables, startTestApi, type TestApi } from '../support/api.js';

const AUDIT = `query($f: AuditFilter, $first: Int, $after: String) {
  auditLog(filter: $f, first: $first, after: $after) {
    edges { cursor node { revision ts actor verb type kind namespace name uid object requestId } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    revision floor
  }
}`;

interface Row {
  revision: number;
  ts: number;
  actor: string;
  verb: string;
  type: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
}

let api: TestApi;
let mark: { ts: number; revision: number };
const USER_TOKEN = 'auditor-token-0123456789';

beforeAll(async () => {
  // A user without any grant, from the static token file: the audit log is not hers to read.
  const dataDir = mkdtempSync(join(tmpdir(), 'kubeql-audit-'));
  writeFileSync(join(dataDir, 'tokens.csv'), `${USER_TOKEN},mallory,u-1,"dev"\n`);
  api = await startTestApi({ dataDir });
  for (const ns of ['audit-a', 'audit-b']) await api.ok(`mutation($n: String!) { createNamespace(input: { metadata: { name: $n } }) { metadata { name } } }`, { n: ns });
  for (let i = 0; i < 4; i++) await api.ok(CREATE_POD, { i: POD(`p${i}`, { namespace: i % 2 ? 'audit-b' : 'audit-a', labels: { i: String(i) } }), r: `req-${i}` });
  await new Promise((r) => setTimeout(r, 20));
  mark = { ts: Date.now(), revision: (await api.ok('{ revision }')).revision };
  await new Promise((r) => setTimeout(r, 20));
  await api.ok(`mutation { patchPod(namespace: "audit-a", name: "p0", patch: { metadata: { labels: { x: "1" } } }) { metadata { name } } }`);
  await api.ok(`mutation { updatePodStatus(namespace: "audit-b", name: "p1", status: { phase: "Running" }) { metadata { name } } }`);
  await api.ok(`mutation { createNode(input: { metadata: { name: "audit-node" } }) { metadata { name } } }`);
  await api.ok(`mutation { deletePod(namespace: "audit-a", name: "p2") { metadata { name } } }`);
  await api.ok(`mutation { deleteNode(name: "audit-node") { metadata { name } } }`);
});
afterAll(() => api.close());

const rows = (): Row[] => api.db().prepare('SELECT revision, ts, actor, verb, type, kind, namespace, name, uid FROM events ORDER BY revision').all() as Row[];

/** Every page of auditLog for `filter`, `first` at a time. */
async function pages(filter: Record<string, unknown> | undefined, first: number) {
  const out: any[] = [];
  let after: string | undefined;
  for (let page = 0; page < 100; page++) {
    const data = (await api.ok(AUDIT, { f: filter, first, after })).auditLog;
    out.push(data);
    if (!data.pageInfo.hasNextPage) return out;
    after = data.pageInfo.endCursor;
  }
  throw new Error('too many pages');
}

const revisionsOf = (ps: any[]) => ps.flatMap((p) => p.edges.map((e: any) => e.node.revision));

describe('auditLog', () => {
  it('answers each filter with exactly the events of the log that match it, oldest first', async () => {
    const all = rows();
    const cases: Array<[Record<string, unknown>, (r: Row) => boolean]> = [
      [{}, () => true],
      [{ actor: 'system:apiserver' }, (r) => r.actor === 'system:apiserver'],
      [{ actor: 'admin' }, (r) => r.actor === 'admin'],
      [{ verb: 'delete' }, (r) => r.verb === 'delete'],
      [{ verb: 'updateStatus' }, (r) => r.verb === 'updateStatus'],
      [{ kind: 'Pod' }, (r) => r.kind === 'Pod'],
      [{ kind: 'Node' }, (r) => r.kind === 'Node'],
      [{ namespace: 'audit-b' }, (r) => r.namespace === 'audit-b'],
      [{ namespace: '' }, (r) => r.namespace === ''],
      [{ kind: 'Pod', namespace: 'audit-a', name: 'p0' }, (r) => r.kind === 'Pod' && r.namespace === 'audit-a' && r.name === 'p0'],
      [{ name: 'p2' }, (r) => r.name === 'p2'],
      [{ fromRevision: 5, toRevision: 9 }, (r) => r.revision >= 5 && r.revision <= 9],
      [{ since: new Date(mark.ts).toISOString() }, (r) => r.ts >= mark.ts],
      [{ until: new Date(mark.ts).toISOString() }, (r) => r.ts < mark.ts],
      // Times at the ends of the calendar, and ranges that hold nothing (the search by time, log-time.ts).
      [{ since: '0001-01-01T00:00:00Z' }, () => true],
      [{ until: '0001-01-01T00:00:00Z' }, () => false],
      [{ since: '9999-12-31T23:59:59Z' }, () => false],
      [{ until: '9999-12-31T23:59:59Z', kind: 'Pod' }, (r) => r.kind === 'Pod'],
      [{ since: new Date(mark.ts).toISOString(), until: new Date(mark.ts).toISOString() }, () => false],
      [{ since: new Date(mark.ts + 1).toISOString(), until: new Date(mark.ts - 1).toISOString() }, () => false],
      [{ kind: 'Pod', verb: 'create', namespace: 'audit-a' }, (r) => r.kind === 'Pod' && r.verb === 'create' && r.namespace === 'audit-a'],
      [{ actor: 'nobody' }, () => false],
    ];
    for (const [filter, match] of cases) {
      const expected = all.filter(match).map((r) => r.revision);
      expect(revisionsOf(await pages(filter, 1000)), JSON.stringify(filter)).toEqual(expected);
    }
    // The time filters split the log where the writes after the mark begin.
    expect(revisionsOf(await pages({ since: new Date(mark.ts).toISOString() }, 1000))[0]).toBe(mark.revision + 1);
  });

  it('pages through a filter with cursors, each page continuing where the last ended', async () => {
    const expected = rows().filter((r) => r.kind === 'Pod').map((r) => r.revision);
    const ps = await pages({ kind: 'Pod' }, 3);
    expect(ps.length).toBe(Math.ceil(expected.length / 3));
    expect(revisionsOf(ps)).toEqual(expected);
    expect(ps[0].pageInfo.hasPreviousPage).toBe(false);
    expect(ps.at(-1).pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    for (const p of ps) expect(p.pageInfo.endCursor).toBe(p.edges.at(-1).cursor);
    // first: 0 answers no edges but says whether there are any.
    const none = (await api.ok(AUDIT, { f: { kind: 'Pod' }, first: 0 })).auditLog;
    expect(none.edges).toEqual([]);
    expect(none.pageInfo.hasNextPage).toBe(true);
  });

  it('carries the event as the log holds it', async () => {
    const { edges } = (await api.ok(AUDIT, { f: { kind: 'Pod', name: 'p1' }, first: 10 })).auditLog;
    const row = rows().find((r) => r.kind === 'Pod' && r.name === 'p1')!;
    expect(edges[0].node).toMatchObject({
      revision: row.revision,
      ts: new Date(row.ts).toISOString(),
      actor: 'admin',
      verb: 'create',
      type: 'ADDED',
      kind: 'Pod',
      namespace: 'audit-b',
      name: 'p1',
      uid: row.uid,
      requestId: 'req-1',
    });
    expect(edges[0].node.object.metadata).toMatchObject({ name: 'p1', uid: row.uid, resourceVersion: String(row.revision), labels: { i: '1' } });
    expect(edges[1].node).toMatchObject({ verb: 'updateStatus', type: 'MODIFIED', requestId: null });
    const node = (await api.ok(AUDIT, { f: { kind: 'Node' } })).auditLog.edges;
    expect(node.map((e: any) => [e.node.type, e.node.namespace])).toEqual([
      ['ADDED', null],
      ['DELETED', null],
    ]);
    // A DELETED event carries the object's last state.
    expect(node[1].node.object.metadata.name).toBe('audit-node');
  });

  it('rejects bad input with a coded error and changes nothing', async () => {
    const before = snapshotTables(api.db());
    const first = await api.gql(AUDIT, { first: -1 });
    expect(first.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect((await api.gql(AUDIT, { first: 1001 })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect((await api.gql(AUDIT, { after: 'not-a-cursor' })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect((await api.gql(AUDIT, { f: { since: 'yesterday' } })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    // Not a Kind: GraphQL's own variable coercion refuses it.
    expect((await api.gql(AUDIT, { f: { kind: 'Pods' } })).errors?.[0].message).toMatch(/"Kind" enum/);
    expect(snapshotTables(api.db())).toBe(before);
  });

  it('needs the RBAC verb audit: an identity without it is FORBIDDEN', async () => {
    const res = await fetch(api.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${USER_TOKEN}` },
      body: JSON.stringify({ query: AUDIT }),
    });
    const body = (await res.json()) as any;
    expect(body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const history = await fetch(api.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${USER_TOKEN}` },
      body: JSON.stringify({ query: '{ history(kind: Pod, namespace: "audit-a", name: "p0") { edges { cursor } } }' }),
    });
    expect(((await history.json()) as any).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('answers EXPIRED for a cursor that compaction has passed, and keeps paging from the floor', async () => {
    const first = (await api.ok(AUDIT, { first: 2 })).auditLog;
    const floor = api.server.store.compact(first.edges[1].node.revision + 2);
    const expired = await api.gql(AUDIT, { first: 2, after: first.pageInfo.endCursor });
    expect(expired.errors?.[0].extensions).toMatchObject({ code: 'EXPIRED' });
    const fresh = (await api.ok(AUDIT, { first: 2 })).auditLog;
    expect(fresh.floor).toBe(floor);
    expect(fresh.edges[0].node.revision).toBe(floor + 1);
  });
});
