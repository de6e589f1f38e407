import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_POD, POD, startTestApi, type TestApi } from '../support/api.js';
import { collect, wsClient } from '../support/watch-client.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ watch: { bookmarkIntervalMs: 300 } });
});
afterAll(() => api.close());

const patchLabels = (name: string, labels: Record<string, string | null>) =>
  api.ok(`mutation($p: JSON!) { patchPod(namespace: "default", name: "${name}", patch: $p) { metadata { resourceVersion } } }`, { p: { metadata: { labels } } });

describe('watch', () => {
  it('without fromRevision: synthetic ADDED for what exists, a BOOKMARK at the head, then live events', async () => {
    await api.ok(CREATE_POD, { i: POD('before-1', { labels: { app: 'w' } }) });
    await api.ok(CREATE_POD, { i: POD('before-2', { labels: { app: 'w' } }) });
    const head = (await api.ok('{ revision }')).revision;
    const client = wsClient(api.server.url);
    const w = collect(client, { kind: 'Pod', ls: 'app=w' });
    await w.until((e) => e.some((x) => x.type === 'BOOKMARK'));
    expect(w.events.map((e) => [e.type, e.name])).toEqual([['ADDED', 'before-1'], ['ADDED', 'before-2'], ['BOOKMARK', undefined]]);
    expect(w.events[2].revision).toBe(head);
    const created = await api.ok(CREATE_POD, { i: POD('live-1', { labels: { app: 'w' } }) });
    await w.until((e) => e.some((x) => x.name === 'live-1'));
    expect(w.events.at(-1)).toMatchObject({ type: 'ADDED', name: 'live-1', revision: Number(created.createPod.metadata.resourceVersion) });
    w.stop();
    await client.dispose();
  });

  it('selector transitions: out of the selection is DELETED, back in is ADDED', async () => {
    await api.ok(CREATE_POD, { i: POD('mover', { labels: { app: 'm', tier: 'gold' } }) });
    const from = (await api.ok('{ revision }')).revision;
    const client = wsClient(api.server.url);
    const w = collect(client, { kind: 'Pod', ls: 'tier=gold', from });
    const out = await patchLabels('mover', { tier: 'silver' });
    await patchLabels('mover', { other: 'x' }); // not selected before or after: nothing
    const back = await patchLabels('mover', { tier: 'gold' });
    const mod = await patchLabels('mover', { more: 'y' });
    await w.until((e) => e.length >= 3);
    expect(w.events.map((e) => [e.type, e.revision, e.labels?.tier])).toEqual([
      ['DELETED', Number(out.patchPod.metadata.resourceVersion), 'gold'], // its previous state, with the event's revision
      ['ADDED', Number(back.patchPod.metadata.resourceVersion), 'gold'],
      ['MODIFIED', Number(mod.patchPod.metadata.resourceVersion), 'gold'],
    ]);
    w.stop();
    await client.dispose();
  });

  it('a quiet filtered watcher gets BOOKMARKs when the head moves', async () => {
    const client = wsClient(api.server.url);
    const w = collect(client, { kind: 'Pod', ls: 'app=quiet' });
    await w.until((e) => e.length === 1 && e[0].type === 'BOOKMARK');
    await api.ok(CREATE_POD, { i: POD('noise', { labels: { app: 'loud' } }) });
    const head = (await api.ok('{ revision }')).revision;
    await w.until((e) => e.some((x) => x.type === 'BOOKMARK' && x.revision === head), 5000);
    w.stop();
    await client.dispose();
  });

  it('fromRevision above the head is BAD_USER_INPUT; a bad selector is INVALID_SELECTOR; the socket stays open', async () => {
    const client = wsClient(api.server.url);
    const head = (await api.ok('{ revision }')).revision;
    const future = collect(client, { kind: 'Pod', from: head + 100 });
    await expect(future.until(() => false, 3000)).rejects.toThrow(/BAD_USER_INPUT|newer than the head/);
    expect(future.errors[0].extensions?.code).toBe('BAD_USER_INPUT');
    const bad = collect(client, { kind: 'Pod', ls: 'a in (' });
    await expect(bad.until(() => false, 3000)).rejects.toThrow();
    expect(bad.errors[0].extensions?.code).toBe('INVALID_SELECTOR');
    const good = collect(client, { kind: 'Pod', ls: 'app=w' });
    await good.until((e) => e.some((x) => x.type === 'BOOKMARK'));
    good.stop();
    await client.dispose();
  });
});
