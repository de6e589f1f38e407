import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeqlClient, type KubeqlClient } from '../../server/client/client.js';
import { createInformer, type InformerEvent } from '../../server/client/informer.js';
import { metadataOnly } from '../../server/client/object-transforms.js';
import { createSharedInformers } from '../../server/client/shared-informers.js';
import { CREATE_POD, POD, startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
let client: KubeqlClient;
beforeAll(async () => {
  api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
  client = createKubeqlClient({ server: api.server.url.replace('/graphql', ''), token: api.token });
});
afterAll(async () => {
  await client.close();
  await api.close();
});

const until = async (predicate: () => boolean, ms = 10_000) => {
  const started = Date.now();
  while (!predicate()) {
    if (Date.now() - started > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('informer', () => {
  it('lists every page, syncs, then follows changes with indexes kept up to date', async () => {
    await api.ok('mutation { createNamespace(input: { metadata: { name: "inf" } }) { metadata { name } } }');
    for (let i = 0; i < 620; i++) await api.ok(CREATE_POD, { i: POD(`p${i}`, { namespace: 'inf', labels: { app: i % 2 ? 'odd' : 'even' } }) });
    const informer = createInformer(client, 'Pod', { namespace: 'inf' });
    const events: InformerEvent[] = [];
    informer.events$.subscribe((e) => events.push(e));
    informer.start();
    await informer.waitForSync();
    expect(informer.cache.size).toBe(620); // more than one page of 500
    expect(informer.cache.byIndex('label', 'app=odd')).toHaveLength(310);
    expect(informer.cache.byIndex('namespace', 'inf')).toHaveLength(620);

    await api.ok(`mutation { patchPod(namespace: "inf", name: "p1", patch: { metadata: { labels: { app: "even" } } }) { metadata { name } } }`);
    await api.ok(`mutation { bindPod(namespace: "inf", name: "p2", nodeName: "n1") { metadata { name } } }`);
    await api.ok(`mutation { deletePod(namespace: "inf", name: "p3") { metadata { name } } }`);
    await until(() => informer.cache.size === 619 && informer.cache.byIndex('nodeName', 'n1').length === 1);
    expect(informer.cache.byIndex('label', 'app=odd')).toHaveLength(308);
    expect(events.slice(-3).map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['MODIFIED', 'p1'],
      ['MODIFIED', 'p2'],
      ['DELETED', 'p3'],
    ]);
    expect(events.at(-1)!.old?.metadata.name).toBe('p3');
    informer.stop();
  });

  it('resumes after a dropped connection from its last revision, without relisting', async () => {
    const informer = createInformer(client, 'Pod', { namespace: 'inf' });
    informer.start();
    await informer.waitForSync();
    const seen: string[] = [];
    informer.events$.subscribe((e) => seen.push(`${e.type}:${e.object.metadata.name}`));
    await api.restart(); // the API server goes away and comes back on the same port: every socket drops
    await api.ok(CREATE_POD, { i: POD('after-drop', { namespace: 'inf' }) });
    await until(() => informer.cache.get('inf', 'after-drop') !== undefined);
    expect(informer.listCount()).toBe(1);
    expect(seen).toEqual(['ADDED:after-drop']);
    informer.stop();
  });

  it('relists on EXPIRED and emits the difference', async () => {
    const informer = createInformer(client, 'Pod', { namespace: 'inf', labelSelector: 'app=even' });
    informer.start();
    await informer.waitForSync();
    const before = informer.listCount();
    informer.stop();
    // While it is away, the world changes and the log is compacted past its revision.
    await api.ok(`mutation { deletePod(namespace: "inf", name: "p0") { metadata { name } } }`);
    await api.ok(CREATE_POD, { i: POD('fresh', { namespace: 'inf', labels: { app: 'even' } }) });
    api.server.store.compact(api.server.store.head());
    const seen: string[] = [];
    informer.events$.subscribe((e) => seen.push(`${e.type}:${e.object.metadata.name}`));
    informer.start();
    await until(() => informer.listCount() === before + 1 && informer.cache.get('inf', 'fresh') !== undefined);
    expect(informer.cache.get('inf', 'p0')).toBeUndefined();
    expect(seen.sort()).toEqual(['ADDED:fresh', 'DELETED:p0']);
    informer.stop();
  });

  it('holds and emits objects as its transform makes them, listed or watched, and shared informers take one transform per kind', async () => {
    await api.ok('mutation { createNamespace(input: { metadata: { name: "xf" } }) { metadata { name } } }');
    await api.ok(CREATE_POD, { i: POD('listed', { namespace: 'xf' }) });
    const informer = createInformer(client, 'Pod', { namespace: 'xf', transform: metadataOnly });
    const events: InformerEvent[] = [];
    informer.events$.subscribe((e) => events.push(e));
    informer.start();
    await informer.waitForSync();
    await api.ok(CREATE_POD, { i: POD('watched', { namespace: 'xf' }) });
    await api.ok(`mutation { bindPod(namespace: "xf", name: "watched", nodeName: "n1") { metadata { name } } }`);
    await until(() => events.length === 3);
    for (const o of [...informer.cache.list(), ...events.flatMap((e) => [e.object, e.old ?? e.object])]) {
      expect(Object.keys(o).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
      expect(o.metadata.uid).toBeTruthy();
    }
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([
      ['ADDED', 'listed'],
      ['ADDED', 'watched'],
      ['MODIFIED', 'watched'],
    ]);
    expect(informer.cache.get('xf', 'watched')!.metadata.resourceVersion).toBe(events[2].object.metadata.resourceVersion);
    informer.stop();

    const shared = createSharedInformers(client, { transforms: { Pod: metadataOnly } });
    const pods = shared.informer('Pod', { namespace: 'xf' });
    expect(shared.informer('Pod', { namespace: 'xf' })).toBe(pods);
    expect(() => shared.informer('Pod', { namespace: 'xf', transform: (o) => o })).toThrow(/another transform/);
    const whole = shared.informer('Namespace');
    shared.start();
    await shared.waitForSync();
    expect(pods.cache.get('xf', 'listed')!.spec).toBeUndefined();
    expect(whole.cache.get(undefined, 'xf')!.spec).toBeDefined();
    shared.stop();
  });
});
