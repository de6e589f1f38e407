/**
 * Three API servers on one PostgreSQL database, end to end over GraphQL: createPod on each at once,
 * a watcher on each, and every watcher's stream equals the log; CONFLICT decided across servers;
 * a token issued by one server authenticates on another.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_POD, POD, startTestApi, type TestApi } from '../support/api.js';
import { postgresMissing, startPostgres, type PostgresServer } from '../support/postgres.js';
import { collect, wsClient } from '../support/watch-client.js';

let postgres: PostgresServer | undefined;
const apis: TestApi[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  if (!postgresMissing) postgres = await startPostgres();
}, 60_000);
afterEach(async () => {
  await Promise.all(apis.splice(0).map((api) => api.close()));
});
afterAll(async () => {
  await postgres?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `n` API servers on one new database; one data directory, so one admin token for all. */
async function startServers(n: number): Promise<{ url: string; servers: TestApi[] }> {
  const url = await postgres!.createDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'kubeql-pg-api-'));
  dirs.push(dataDir);
  const servers = await Promise.all(Array.from({ length: n }, () => startTestApi({ dataDir, databaseUrl: url })));
  apis.push(...servers);
  return { url, servers };
}

async function podEventsOf(url: string, after: number): Promise<Array<{ revision: number; type: string; name: string }>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT revision, type, name FROM events WHERE kind = 'Pod' AND namespace = 'default' AND revision > $1 ORDER BY revision`, [after]);
    return rows.map((r) => ({ revision: Number(r.revision), type: r.type, name: r.name }));
  } finally {
    await client.end();
  }
}

describe.skipIf(postgresMissing !== undefined)('API servers on one PostgreSQL log', () => {
  it('bootstraps once, and every server watching sees the log while pods are created on every server', async () => {
    const { url, servers } = await startServers(3);
    // Three servers started at once wrote the bootstrap objects once between them.
    const namespaces = (await servers[2].ok('{ namespaces { edges { node { metadata { name } } } } }')).namespaces.edges.map((e: any) => e.node.metadata.name);
    expect(namespaces.filter((n: string) => n === 'default')).toHaveLength(1);
    const from = Math.max(...(await Promise.all(servers.map(async (s) => (await s.ok('{ revision }')).revision as number))));
    const clients = servers.map((s) => wsClient(s.server.url));
    const watchers = clients.map((client) => collect(client, { kind: 'Pod', ns: 'default', from }));
    try {
      const created = await Promise.all(servers.flatMap((s, i) => Array.from({ length: 15 }, (_, j) => s.ok(CREATE_POD, { i: POD(`pod-${i}-${j}`) }))));
      expect(created).toHaveLength(45);
      const log = await podEventsOf(url, from);
      expect(log).toHaveLength(45);
      for (const w of watchers) {
        await w.until((events) => events.filter((e) => e.type !== 'BOOKMARK').length >= 45);
        expect(w.events.filter((e) => e.type !== 'BOOKMARK').map((e) => ({ revision: e.revision, type: e.type, name: e.name }))).toEqual(log);
      }
    } finally {
      for (const w of watchers) w.stop();
      await Promise.all(clients.map((c) => c.dispose()));
    }
  });

  it('answers CONFLICT on one server for a resourceVersion another server moved on', async () => {
    const { servers } = await startServers(2);
    const [a, b] = servers;
    const created = (await a.ok(CREATE_POD, { i: POD('shared') })).createPod;
    const patch = `mutation($rv: String, $v: String) { patchPod(namespace: "default", name: "shared", patch: { metadata: { labels: { v: $v } } }, resourceVersion: $rv) { metadata { resourceVersion } } }`;
    await a.ok(patch, { rv: created.metadata.resourceVersion, v: 'from-a' });
    const stale = await b.gql(patch, { rv: created.metadata.resourceVersion, v: 'from-b' });
    expect(stale.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const pod = await b.ok('{ pod(namespace: "default", name: "shared") { metadata { labels } } }');
    expect(pod.pod.metadata.labels).toEqual({ v: 'from-a' });
    // A create of the same name on the other server: the lock decides against the true head.
    const again = await b.gql(CREATE_POD, { i: POD('shared') });
    expect(again.errors?.[0]?.extensions?.code).toBe('ALREADY_EXISTS');
  });

  it('authenticates on one server a token issued by another, and refuses it once revoked on either', async () => {
    const { servers } = await startServers(2);
    const [a, b] = servers;
    const issued = (await a.ok(`mutation { createNodeToken(nodeName: "node-1") { token id } }`)).createNodeToken;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await b.gqlAs(issued.token, '{ revision }');
      if (!res.errors) break;
      if (Date.now() > deadline) throw new Error(`the token never worked on the other server: ${JSON.stringify(res.errors)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await b.gqlAs('not-a-token', '{ revision }')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // Revoked on the other server: refused here too, and both keep the same credential record.
    await b.ok(`mutation($id: String!) { revokeNodeToken(nodeName: "node-1", id: $id) { revokedAt } }`, { id: issued.id });
    const refusedBy = Date.now() + 10_000;
    while (!(await a.gqlAs(issued.token, '{ revision }')).errors) {
      if (Date.now() > refusedBy) throw new Error('the revoked token still works on the server that issued it');
      await new Promise((r) => setTimeout(r, 50));
    }
    const records = (s: typeof a) => s.server.store.tokens.events({ afterId: 0, limit: 10 }).map((e) => [e.id, e.action, e.tokenId]);
    expect(records(a)).toEqual([
      [1, 'issue', issued.id],
      [2, 'revoke', issued.id],
    ]);
    const sameBy = Date.now() + 10_000;
    while (JSON.stringify(records(b)) !== JSON.stringify(records(a))) {
      if (Date.now() > sameBy) throw new Error(`the servers' credential records differ: ${JSON.stringify(records(b))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('serves GET /admin/backup as a pg_dump of one snapshot, with its revision', async () => {
    const { servers } = await startServers(1);
    const [a] = servers;
    await a.ok(CREATE_POD, { i: POD('kept') });
    const revision = (await a.ok('{ revision }')).revision as number;
    const res = await fetch(new URL('/admin/backup', a.server.url), { headers: { authorization: `Bearer ${a.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-kubeql-revision')).toBe(String(revision));
    expect(res.headers.get('content-disposition')).toContain(`kubeql-${revision}.dump`);
    const body = Buffer.from(await res.arrayBuffer());
    // pg_dump's custom format begins with its magic.
    expect(body.subarray(0, 5).toString()).toBe('PGDMP');
  });
});
