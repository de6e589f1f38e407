/**
 * A client that saw a revision on one API server and goes on on another, whose replica of the
 * PostgreSQL log is a moment behind it: GraphQL reads at the revision, a watch from it and REST
 * reads and watches with its resourceVersion wait for the replica rather than being refused. The
 * lagging server reaches PostgreSQL through a pausable proxy, so it lags for as long as the test
 * wants; when it cannot catch up within its bound, REST answers Kubernetes' 504 "Too large
 * resource version" and GraphQL UNAVAILABLE (retryable).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_POD, POD, startTestApi, type TestApi } from '../support/api.js';
import { startPausableProxy, type PausableProxy } from '../support/pausable-proxy.js';
import { settled, until } from '../support/settling.js';
import { postgresMissing, startPostgres, type PostgresServer } from '../support/postgres.js';
import { collect, wsClient } from '../support/watch-client.js';

let postgres: PostgresServer | undefined;
const apis: TestApi[] = [];
const proxies: PausableProxy[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  if (!postgresMissing) postgres = await startPostgres();
}, 60_000);
afterEach(async () => {
  for (const proxy of proxies) proxy.resume();
  await Promise.all(apis.splice(0).map((api) => api.close()));
  for (const proxy of proxies.splice(0)) await proxy.close();
});
afterAll(async () => {
  await postgres?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Server `a` on the database, server `b` on it through a proxy the test can pause; one data directory, so one admin token. */
async function startPair(): Promise<{ a: TestApi; b: TestApi; proxy: PausableProxy }> {
  const url = await postgres!.createDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'kubeql-pg-wait-'));
  dirs.push(dataDir);
  const target = new URL(url);
  const proxy = await startPausableProxy(target.hostname, Number(target.port));
  proxies.push(proxy);
  const via = new URL(url);
  via.port = String(proxy.port);
  const a = await startTestApi({ dataDir, databaseUrl: url });
  apis.push(a);
  const b = await startTestApi({ dataDir, databaseUrl: via.toString() });
  apis.push(b);
  return { a, b, proxy };
}



const GET_AT = `query($r: Revision) { pod(namespace: "default", name: "seen", atRevision: $r) { metadata { name resourceVersion } } }`;

describe.skipIf(postgresMissing !== undefined)('a server behind a revision its client has seen', () => {
  it('waits for its replica to reach it: a GraphQL read at it, a watch from it, a REST get, list and watch', async () => {
    const { a, b, proxy } = await startPair();
    const base = `http://127.0.0.1:${b.server.port}`;
    const headers = { authorization: `Bearer ${b.token}` };
    await until('b to follow the log', () => b.server.store.head() === a.server.store.head());
    proxy.pause();
    const created = await a.ok(CREATE_POD, { i: POD('seen') });
    const revision = Number(created.createPod.metadata.resourceVersion);
    const next = Number((await a.ok(CREATE_POD, { i: POD('next') })).createPod.metadata.resourceVersion);
    expect(b.server.store.head()).toBeLessThan(revision);

    // Watches resume after the revision the client saw: the next event is 'next'.
    const client = wsClient(b.server.url);
    const watcher = collect(client, { kind: 'Pod', ns: 'default', from: revision });
    try {
      const read = b.gql(GET_AT, { r: revision });
      const restGet = fetch(`${base}/api/v1/namespaces/default/pods/seen?resourceVersion=${revision}`, { headers });
      const restList = fetch(`${base}/api/v1/namespaces/default/pods?resourceVersion=${revision}`, { headers });
      const restWatch = fetch(`${base}/api/v1/namespaces/default/pods?watch=1&resourceVersion=${revision}&timeoutSeconds=2`, { headers });
      // While the replica cannot read the log, nothing is answered (and nothing refused).
      expect(await settled(read)).toBe(false);
      expect(await settled(restGet)).toBe(false);
      expect(watcher.errors).toEqual([]);
      proxy.resume();

      expect((await read).data.pod.metadata).toEqual({ name: 'seen', resourceVersion: String(revision) });
      const got = await restGet;
      expect(got.status).toBe(200);
      expect((await got.json()).metadata.name).toBe('seen');
      const listed = await restList;
      expect(listed.status).toBe(200);
      expect(Number((await listed.json()).metadata.resourceVersion)).toBeGreaterThanOrEqual(revision);
      const watched = await restWatch;
      expect(watched.status).toBe(200);
      const firstLine = (await watched.text()).split('\n')[0];
      expect(JSON.parse(firstLine)).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'next', resourceVersion: String(next) } } });
      await watcher.until((events) => events.some((e) => e.type === 'ADDED' && e.name === 'next'));
      expect(watcher.events.filter((e) => e.type !== 'BOOKMARK')[0]).toMatchObject({ name: 'next', revision: next });
    } finally {
      watcher.stop();
      await client.dispose();
    }
  });

  it('still refuses at once a revision the log never held', async () => {
    const { a, b } = await startPair();
    await until('b to follow the log', () => b.server.store.head() === a.server.store.head());
    const beyond = a.server.store.head() + 1_000;
    const answer = await b.gql(GET_AT, { r: beyond });
    expect(answer.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'atRevision' } });
    const res = await fetch(`http://127.0.0.1:${b.server.port}/api/v1/namespaces/default/pods/x?resourceVersion=${beyond}`, { headers: { authorization: `Bearer ${b.token}` } });
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'Timeout', details: { causes: [{ reason: 'ResourceVersionTooLarge' }] } });
  });
});
