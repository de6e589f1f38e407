import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, startComponent, stopAllComponents, type Component } from '../support/processes.js';
import { freePort } from '../../server/components/free-port.js';

/**
 * Crash safety: several clients write as fast as they can, the API server is killed with SIGKILL
 * at a random moment, and restarted. Every mutation whose response a client received is in the
 * log, the log is gap-free, and the replay digest equals the tables. Five runs, five kill moments.
 * The WAL is checkpointed every 4 commits, so kills also land during checkpoints.
 * Half the clients create three pods per document (one shared commit), the others one.
 */

const CLIENTS = 4;
const RUNS = 5;

async function startServer(dataDir: string, port: number, sync: string): Promise<{ server: Component; url: string; token: string }> {
  // A WAL checkpoint every 4 commits: the kills land while checkpoints run beside the writes too.
  const server = startComponent('api/main.ts', [], { PORT: String(port), DATA_DIR: dataDir, KUBEQL_SYNC: sync, KUBEQL_CHECKPOINT_COMMITS: '4' });
  const base = `http://127.0.0.1:${port}`;
  await eventually(async () => (await fetch(`${base}/readyz`)).ok, 20_000, () => server.output());
  return { server, url: `${base}/graphql`, token: readFileSync(join(dataDir, 'admin.token'), 'utf8').trim() };
}

async function gql(url: string, token: string, query: string, variables: Record<string, unknown>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as any;
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const CREATE = `mutation($i: PodInput!, $r: String) { createPod(input: $i, requestId: $r) { metadata { name uid resourceVersion } } }`;
const CREATE_THREE = `mutation($a: PodInput!, $b: PodInput!, $c: PodInput!, $r: String) {
  a: createPod(input: $a, requestId: $r) { metadata { name uid resourceVersion } }
  b: createPod(input: $b) { metadata { name uid resourceVersion } }
  c: createPod(input: $c) { metadata { name uid resourceVersion } }
}`;
const PATCH = `mutation($n: String!, $p: JSON!) { patchPod(namespace: "default", name: $n, patch: $p) { metadata { name uid resourceVersion } } }`;

interface Acked {
  name: string;
  uid: string;
  revision: number;
}

/** One client: creates pods and patches them in turn, as fast as it can, until a request fails (the server died). */
async function client(url: string, token: string, id: number, acked: Acked[]): Promise<void> {
  for (let i = 0; ; i++) {
    const name = `c${id}-${i >> 1}`;
    try {
      const podInput = (n: string) => ({ metadata: { name: n, labels: { c: String(id) } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } });
      const answered: { metadata: { name: string; uid: string; resourceVersion: string } }[] =
        i % 2 === 1
          ? [(await gql(url, token, PATCH, { n: name, p: { metadata: { labels: { step: String(i) } } } })).patchPod]
          : id % 2 === 0
            ? [(await gql(url, token, CREATE, { i: podInput(name), r: `${id}-${i}` })).createPod]
            : Object.values(await gql(url, token, CREATE_THREE, { a: podInput(name), b: podInput(`${name}-b`), c: podInput(`${name}-c`), r: `${id}-${i}` }));
      for (const data of answered) acked.push({ name: data.metadata.name, uid: data.metadata.uid, revision: Number(data.metadata.resourceVersion) });
    } catch {
      return;
    }
  }
}

afterAll(() => stopAllComponents());

// Both durable write paths: FULL (SQLite syncs inside COMMIT) and DURABLE (the WAL synced on the threadpool before the answer).
describe.each(['DURABLE', 'FULL'])('crash safety, KUBEQL_SYNC=%s', (sync) => {
  it(`keeps every acknowledged write through ${RUNS} kill -9s at random moments, and the tables equal the replay of the log`, async () => {
    // One data directory throughout: each restart after a kill is the server the next run loads
    // (recovery after recovery), and every acknowledgement so far must stay in the log.
    const dataDir = mkdtempSync(join(tmpdir(), 'kubeql-crash-'));
    const port = await freePort();
    let current = await startServer(dataDir, port, sync);
    const acked: Acked[] = [];
    try {
      for (let run = 0; run < RUNS; run++) {
        const before = acked.length;
        const clients = Array.from({ length: CLIENTS }, (_, id) => client(current.url, current.token, run * CLIENTS + id, acked));
        // A different moment each run: once writes are flowing, 0 to 400 ms later.
        await eventually(() => acked.length >= before + 5, 20_000);
        const extra = Math.floor(Math.random() * 400);
        await new Promise((r) => setTimeout(r, extra));
        current.server.kill();
        await Promise.all(clients);

        current = await startServer(dataDir, port, sync);
        const db = new Database(join(dataDir, 'kubeql.db'), { readonly: true });
        try {
          const head = (await gql(current.url, current.token, '{ revision }', {})).revision as number;
          const logged = db.prepare(`SELECT revision, name, uid FROM events WHERE kind = 'Pod' AND namespace = 'default'`).all() as Acked[];
          const byRevision = new Map(logged.map((e) => [e.revision, e]));
          for (const a of acked) expect(byRevision.get(a.revision), `run ${run}: acknowledged ${JSON.stringify(a)}`).toEqual(a);
          const revisions = db.prepare('SELECT revision FROM events ORDER BY revision').pluck().all() as number[];
          expect(revisions).toEqual(Array.from({ length: head }, (_, i) => i + 1));
          const replay = (await gql(current.url, current.token, 'mutation { replay(verify: true) { match digest revision } }', {})).replay;
          expect(replay, `run ${run}`).toMatchObject({ match: true, revision: head });
          console.log(`run ${run}: killed ${extra} ms after the 5th write, ${acked.length - before} writes acknowledged in this run, head ${head}, replay digest ${replay.digest.slice(0, 12)}… equals the tables`);
        } finally {
          db.close();
        }
      }
    } finally {
      await current.server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
