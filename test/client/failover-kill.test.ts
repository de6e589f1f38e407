/**
 * Failover with a server killed mid-storm. Two API server processes cannot share one SQLite file,
 * but a server killed with kill -9 and a new one started on the same data directory at another
 * port is "another server on the same log": the client is configured with [A, B]; writers create
 * pods as fast as they can; A is killed; B starts on A's data. The informer goes on on B from its
 * revision without listing again (one list, the same cache), every acknowledged write is there,
 * and retried writes (the same requestIds) were written once.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKubeqlClient } from '../../server/client/client.js';
import { createInformer, type InformerEvent } from '../../server/client/informer.js';
import { createObjectClient } from '../../server/client/object-client.js';
import type { Pod } from '../../server/resources/objects.js';
import { freePort } from '../support/npm-start.js';
import { eventually, startComponent, stopAllComponents, type Component } from '../support/processes.js';

const WRITERS = 4;

afterAll(() => stopAllComponents());

async function startServer(dataDir: string, port: number): Promise<Component> {
  const server = startComponent('api/main.ts', [], { PORT: String(port), DATA_DIR: dataDir, KUBEQL_SYNC: 'DURABLE' });
  await eventually(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 30_000, () => server.output());
  return server;
}

describe('failover after kill -9', () => {
  it('the informer resumes on the other server from its revision without a relist, and no acknowledged write is lost or doubled', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kubeql-failover-'));
    const [portA, portB] = [await freePort(), await freePort()];
    let a: Component | undefined = await startServer(dataDir, portA);
    let b: Component | undefined;
    const token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
    const client = createKubeqlClient({ server: [`http://127.0.0.1:${portA}`, `http://127.0.0.1:${portB}`], token, retryWindowMs: 60_000 });
    const objects = createObjectClient(client);
    const informer = createInformer(objects, 'Pod', { namespace: 'default' });
    const added = new Map<string, number>();
    informer.events$.subscribe((e: InformerEvent<Pod>) => e.type === 'ADDED' && added.set(e.object.metadata.name!, (added.get(e.object.metadata.name!) ?? 0) + 1));
    try {
      informer.start();
      await informer.waitForSync();
      expect(informer.listCount()).toBe(1);

      const acked: Array<{ name: string; uid: string; revision: number }> = [];
      const failed: unknown[] = [];
      let stop = false;
      const writer = async (w: number) => {
        for (let i = 0; !stop; i++) {
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

      // Mid-storm: writes flowing and the informer following them on A.
      await eventually(() => acked.length >= 40 && informer.revision() >= acked[20].revision, 30_000);
      const revisionOnA = informer.revision();
      a.kill();
      a = undefined;
      const ackedBeforeB = acked.length;
      b = await startServer(dataDir, portB);
      // Writes go on against B, and the informer follows them there.
      await eventually(() => acked.length >= ackedBeforeB + 40, 30_000, () => `acked ${acked.length}, failed ${failed.map(String).join('; ')}`);
      stop = true;
      await Promise.all(writers);
      expect(failed).toEqual([]);
      const newest = Math.max(...acked.map((x) => x.revision));
      await eventually(() => informer.revision() >= newest, 30_000, () => `informer at ${informer.revision()}, newest write ${newest}`);

      expect(client.url).toBe(`http://127.0.0.1:${portB}/graphql`);
      expect(informer.revision()).toBeGreaterThan(revisionOnA);
      // No relist: one list in all, and each pod was added to the cache exactly once.
      expect(informer.listCount()).toBe(1);
      expect([...added.values()].every((n) => n === 1)).toBe(true);

      // Every acknowledged write is on B's log, as acknowledged; nothing was written twice.
      const { items, revision } = await objects.list('Pod', { namespace: 'default' });
      const onB = new Map(items.map((p) => [p.metadata.name!, p]));
      for (const x of acked) expect(onB.get(x.name)?.metadata.uid, `acknowledged ${x.name}`).toBe(x.uid);
      expect(items.filter((p) => p.metadata.labels?.writer !== undefined)).toHaveLength(acked.length);
      // The informer's cache is B's list.
      await eventually(() => informer.revision() >= revision, 30_000);
      expect(informer.cache.list().map((p) => `${p.metadata.name}@${p.metadata.resourceVersion}`).sort()).toEqual(items.map((p) => `${p.metadata.name}@${p.metadata.resourceVersion}`).sort());
      console.log(`killed A at informer revision ${revisionOnA} with ${ackedBeforeB} writes acknowledged; ${acked.length} in all, informer at ${informer.revision()} on B after 1 list`);
    } finally {
      informer.stop();
      await client.close();
      a?.kill();
      await b?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
