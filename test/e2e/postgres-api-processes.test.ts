/**
 * Three `npm run apiserver` processes on one PostgreSQL database (KUBEQL_DATABASE_URL): writers on
 * each and a watcher on each at once; every watcher's stream equals the log, which is gap-free.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresMissing, startPostgres, type PostgresServer } from '../support/postgres.js';
import { eventually, startComponent, stopAllComponents } from '../support/processes.js';
import { registerToken } from '../support/tokens.js';
import { collect, wsClient } from '../support/watch-client.js';

let postgres: PostgresServer | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'kubeql-pg-procs-'));

beforeAll(async () => {
  if (!postgresMissing) postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  await stopAllComponents();
  await postgres?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function startApiProcess(databaseUrl: string): Promise<string> {
  const proc = startComponent('api/main.ts', [], { PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', KUBEQL_DATABASE_URL: databaseUrl });
  const url = (await eventually(() => /listening on (http:\/\/[^\s"]+\/graphql)/.exec(proc.output())?.[1], 30_000, () => proc.output()))!;
  registerToken(url, readFileSync(join(dataDir, 'admin.token'), 'utf8').trim());
  return url;
}

const CREATE = `mutation($i: PodInput!) { createPod(input: $i) { metadata { name resourceVersion } } }`;

describe.skipIf(postgresMissing !== undefined)('API server processes on one PostgreSQL database', () => {
  it('streams the log to a watcher on every server while every server takes writes', async () => {
    const databaseUrl = await postgres!.createDatabase();
    // The first writes the admin token the others read from the shared data directory.
    const first = await startApiProcess(databaseUrl);
    const urls = [first, ...(await Promise.all([startApiProcess(databaseUrl), startApiProcess(databaseUrl)]))];
    const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
    const headers = { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` };
    const gql = async (url: string, query: string, variables?: unknown) => (await (await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) })).json()) as any;

    const from = Math.max(...(await Promise.all(urls.map(async (u) => (await gql(u, '{ revision }')).data.revision as number))));
    const clients = urls.map((u) => wsClient(u));
    const watchers = clients.map((c) => collect(c, { kind: 'Pod', ns: 'default', from }));
    try {
      // 4 writers per server, 10 pods each.
      const writers = urls.flatMap((u, s) =>
        Array.from({ length: 4 }, async (_, w) => {
          for (let i = 0; i < 10; i++) {
            const body = await gql(u, CREATE, { i: { metadata: { name: `p-${s}-${w}-${i}` }, spec: { containers: [{ name: 'a', image: 'nginx' }] } } });
            expect(body.errors).toBeUndefined();
          }
        }),
      );
      await Promise.all(writers);

      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      const all = (await client.query('SELECT revision FROM events ORDER BY revision')).rows.map((r) => Number(r.revision));
      const pods = (await client.query(`SELECT revision, type, name FROM events WHERE kind = 'Pod' AND revision > $1 ORDER BY revision`, [from])).rows.map((r) => ({
        revision: Number(r.revision),
        type: r.type,
        name: r.name,
      }));
      await client.end();
      expect(all).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
      expect(pods).toHaveLength(120);
      for (const w of watchers) {
        await w.until((events) => events.filter((e) => e.type !== 'BOOKMARK').length >= 120, 20_000);
        expect(w.events.filter((e) => e.type !== 'BOOKMARK').map((e) => ({ revision: e.revision, type: e.type, name: e.name }))).toEqual(pods);
      }
    } finally {
      for (const w of watchers) w.stop();
      await Promise.all(clients.map((c) => c.dispose()));
    }
    // Three server processes and 120 writes: about 20 s on a loaded 2-core machine, past vitest's default 30 s with others running.
  }, 120_000);
});
