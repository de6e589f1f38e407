/**
 * Failover with a server killed mid-storm: writers create pods as fast as they can through clients
 * configured with several servers, an informer follows the pods, and one server is killed with
 * kill -9. The informer goes on on another server from its revision without listing again (one
 * list, each pod added once, its cache equal to the survivors' list), every acknowledged write is
 * in the log as acknowledged, and writes whose answer was lost (retried with the same requestIds)
 * were written once. Two settings of "another server on the same log":
 * - SQLite: two API servers cannot share one file, but a server killed and a new one started on the
 *   same data directory at another port is one: the clients are given [A, B]; A dies, B starts.
 * - PostgreSQL: three API servers on one database; writers start on each; the first is killed and
 *   its clients go on on the other two.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKubeqlClient, type KubeqlClient } from '../../server/client/client.js';
import { createInformer, type InformerEvent } from '../../server/client/informer.js';
import { createObjectClient, type ObjectClient } from '../../server/client/object-client.js';
import type { Pod } from '../../server/resources/objects.js';
import { freePort } from '../support/npm-start.js';
import { postgresMissing, startPostgres, type PostgresServer } from '../support/postgres.js';
import { eventually, startComponent, stopAllComponents, type Component } from '../support/processes.js';

const WRITERS = 6;
let postgres: PostgresServer | undefined;

afterAll(async () => {
  await stopAllComponents();
  await postgres?.stop();
});

async function startServer(dataDir: string, port: number, env: Record<string, string> = {}): Promise<Component> {
  const server = startComponent('api/main.ts', [], { PORT: String(port), DATA_DIR: dataDir, KUBEQL_SYNC: 'DURABLE', ...env });
  await eventually(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 30_000, () => server.output());
  return server;
}

const base = (port: number) => `http://127.0.0.1:${port}`;

interface Storm {
  acked: Array<{ name: string; uid: string; revision: number }>;
  failed: unknown[];
  stop(): Promise<void>;
}

/** Writers creating pods through their own clients (writer w through `clients[w % clients.length]`), until stopped or a write fails. */
function storm(clients: ObjectClient[]): Storm {
  const acked: Storm['acked'] = [];
  const failed: unknown[] = [];
  let stopping = false;
  const writer = async (w: number) => {
    const objects = clients[w % clients.length];
    while (!stopping) {
      try {
        // generateName: a create that ran twice would leave two pods, not an ALREADY_EXISTS.
        const pod = await objects.create('Pod', { metadata: { generateName: `w${w}-`, namespace: 'default', labels: { writer: String(w) } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
        acked.push({ name: pod.metadata.name!, uid: pod.metadata.uid!, revision: Number(pod.metadata.resourceVersion) });
      } catch (e) {
        failed.push(e);
        return;
      }
    }
  };
  const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
  return {
    acked,
    failed,
    async stop() {
      stopping = true;
      await Promise.all(writers);
    },
  };
}

/** Runs the storm, kills a server mid-way (`kill` answers once the plane can go on), and checks what the survivors hold. */
async function killMidStorm(options: { informerClient: KubeqlClient; writerClients: KubeqlClient[]; survivor: () => KubeqlClient; kill: () => Promise<void> }): Promise<void> {
  const objects = createObjectClient(options.informerClient);
  const informer = createInformer(objects, 'Pod', { namespace: 'default' });
  const added = new Map<string, number>();
  informer.events$.subscribe((e: InformerEvent<Pod>) => e.type === 'ADDED' && added.set(e.object.metadata.name!, (added.get(e.object.metadata.name!) ?? 0) + 1));
  try {
    informer.start();
    await informer.waitForSync();
    const writes = storm(options.writerClients.map(createObjectClient));
    // Mid-storm: writes flowing and the informer following them on the first server.
    await eventually(() => writes.acked.length >= 40 && informer.revision() >= writes.acked[20].revision, 30_000);
    const revisionBefore = informer.revision();
    const ackedBefore = writes.acked.length;
    await options.kill();
    // Writes go on against the others, and the informer follows them there.
    await eventually(() => writes.failed.length > 0 || writes.acked.length >= ackedBefore + 60, 60_000, () => `acked ${writes.acked.length}`);
    await writes.stop();
    expect(writes.failed).toEqual([]);
    const newest = Math.max(...writes.acked.map((x) => x.revision));
    await eventually(() => informer.revision() >= newest, 30_000, () => `informer at ${informer.revision()}, newest write ${newest}`);
    expect(informer.revision()).toBeGreaterThan(revisionBefore);
    // No relist: one list in all, and each pod was added to the cache exactly once.
    expect(informer.listCount()).toBe(1);
    expect([...added.entries()].filter(([, n]) => n !== 1)).toEqual([]);

    // Every acknowledged write is there, as acknowledged; nothing was written twice.
    const { items, revision } = await createObjectClient(options.survivor()).list('Pod', { namespace: 'default' });
    const listed = new Map(items.map((p) => [p.metadata.name!, p]));
    for (const x of writes.acked) expect(listed.get(x.name)?.metadata.uid, `acknowledged ${x.name}`).toBe(x.uid);
    expect(items.filter((p) => p.metadata.labels?.writer !== undefined)).toHaveLength(writes.acked.length);
    // The informer's cache is the survivors' list.
    await eventually(() => informer.revision() >= revision, 30_000);
    const versions = (pods: Pod[]) => pods.map((p) => `${p.metadata.name}@${p.metadata.resourceVersion}`).sort();
    expect(versions(informer.cache.list())).toEqual(versions(items));
    console.log(`killed at informer revision ${revisionBefore} with ${ackedBefore} writes acknowledged; ${writes.acked.length} in all, informer at ${informer.revision()} after 1 list`);
  } finally {
    informer.stop();
  }
}

describe('failover after kill -9 mid-storm', () => {
  it('SQLite: A killed, B started on its data directory; the clients of [A, B] go on on B', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kubeql-failover-'));
    const [portA, portB] = [await freePort(), await freePort()];
    let a: Component | undefined = await startServer(dataDir, portA);
    let b: Component | undefined;
    const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
    const client = () => createKubeqlClient({ server: [base(portA), base(portB)], token, retryWindowMs: 60_000 });
    const clients = [client(), client(), client()];
    try {
      await killMidStorm({
        informerClient: clients[0],
        writerClients: clients.slice(1),
        survivor: () => clients[0],
        kill: async () => {
          a!.kill();
          a = undefined;
          b = await startServer(dataDir, portB);
        },
      });
      for (const c of clients) expect(c.url).toBe(`${base(portB)}/graphql`);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      a?.kill();
      await b?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);

  it.skipIf(postgresMissing !== undefined)('PostgreSQL: three servers on one log, the first killed; its clients go on on the other two', async () => {
    postgres ??= await startPostgres();
    const databaseUrl = await postgres.createDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'kubeql-failover-pg-'));
    chmodSync(dataDir, 0o755);
    const ports = [await freePort(), await freePort(), await freePort()];
    const env = { KUBEQL_DATABASE_URL: databaseUrl };
    // The first alone: it bootstraps the log and writes the admin token the others read.
    const servers: Component[] = [await startServer(dataDir, ports[0], env)];
    servers.push(...(await Promise.all(ports.slice(1).map((p) => startServer(dataDir, p, env)))));
    const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
    // Each client starts on its own server and knows the others; the informer's starts on the first.
    const rotated = (k: number) => [0, 1, 2].map((i) => base(ports[(i + k) % 3]));
    const clients = [0, 0, 1, 2].map((k) => createKubeqlClient({ server: rotated(k), token, retryWindowMs: 60_000 }));
    try {
      await killMidStorm({
        informerClient: clients[0],
        writerClients: clients.slice(1),
        survivor: () => clients[2],
        kill: async () => servers[0].kill(),
      });
      expect(clients[0].url).not.toBe(`${base(ports[0])}/graphql`);
      expect(clients[1].url).not.toBe(`${base(ports[0])}/graphql`);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      // The killed one is gone already (stop() would wait for an exit that has happened).
      await Promise.all(servers.slice(1).map((s) => s.stop()));
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
