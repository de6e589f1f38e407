/**
 * A read at a revision this store's replica has not applied yet (a client that saw it on another
 * server of the log): Store.reach waits for the replica, bounded, instead of refusing. The lagging
 * store reaches PostgreSQL through a pausable proxy, so it is behind for as long as the test wants.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KObject } from '../../server/resources/kind.js';
import { registryAllocations } from '../../server/store/registry-allocations.js';
import { openPostgresStore, type PostgresStore, type PostgresStoreOptions } from '../../server/store/postgres/create-store.js';
import type { Store } from '../../server/store/types.js';
import { startPausableProxy, type PausableProxy } from '../support/pausable-proxy.js';
import { settled, until } from '../support/settling.js';
import { postgresMissing, startPostgres, type PostgresServer } from '../support/postgres.js';

let postgres: PostgresServer | undefined;
const stores: PostgresStore[] = [];
const proxies: PausableProxy[] = [];

beforeAll(async () => {
  if (!postgresMissing) postgres = await startPostgres();
}, 60_000);
afterEach(async () => {
  for (const proxy of proxies.splice(0)) proxy.resume();
  for (const store of stores.splice(0)) await store.shutdown();
  for (const proxy of proxies.splice(0)) await proxy.close();
});
afterAll(async () => {
  await postgres?.stop();
});

async function open(url: string, options: Partial<PostgresStoreOptions> = {}): Promise<PostgresStore> {
  const store = await openPostgresStore({ url, allocationsOf: registryAllocations, ...options });
  stores.push(store);
  return store;
}

/** A store on `url` whose every connection passes through a proxy the test can pause. */
async function openBehindProxy(url: string, options: Partial<PostgresStoreOptions> = {}): Promise<{ store: PostgresStore; proxy: PausableProxy }> {
  const target = new URL(url);
  const proxy = await startPausableProxy(target.hostname, Number(target.port));
  proxies.push(proxy);
  const via = new URL(url);
  via.port = String(proxy.port);
  return { store: await open(via.toString(), options), proxy };
}

function pod(name: string): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } as unknown as KObject;
}

const create = (store: Store, name: string) => store.write((tx) => tx.append({ actor: 'test', verb: 'create', type: 'ADDED', object: pod(name) }).revision);



describe.skipIf(postgresMissing !== undefined)('waiting for a revision the replica has not applied yet', () => {
  it('waits for the replica to apply a revision committed on another store, then reads at it', async () => {
    const url = await postgres!.createDatabase();
    const a = await open(url);
    const { store: b, proxy } = await openBehindProxy(url);
    await create(a, 'before');
    await until('b to follow the log', () => b.head() === a.head());
    proxy.pause();
    const revision = await create(a, 'seen-on-a');
    expect(b.head()).toBeLessThan(revision);
    // Without the wait, the read is refused: the replica has not got there.
    expect(() => b.get('Pod', 'default', 'seen-on-a', revision)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));

    const reached = b.reach(revision);
    // Cut off from PostgreSQL, the replica cannot apply it: the read waits.
    expect(await settled(reached)).toBe(false);
    proxy.resume();
    await reached;
    expect(b.head()).toBeGreaterThanOrEqual(revision);
    expect(b.get('Pod', 'default', 'seen-on-a', revision)?.metadata.resourceVersion).toBe(String(revision));
  });

  it('gives up after its bound with UNAVAILABLE (retryable) while the replica cannot catch up', async () => {
    const url = await postgres!.createDatabase();
    const a = await open(url);
    const { store: b, proxy } = await openBehindProxy(url, { revisionWaitMs: 300 });
    await create(a, 'before');
    await until('b to follow the log', () => b.head() === a.head());
    proxy.pause();
    const revision = await create(a, 'unseen');
    await expect(b.reach(revision)).rejects.toMatchObject({ code: 'UNAVAILABLE', extensions: { retryable: true }, message: expect.stringMatching(/replica of the log is still at/) });
    proxy.resume();
    await b.reach(revision);
    expect(b.get('Pod', 'default', 'unseen')).toBeDefined();
  });

  it('does not wait for a revision the log does not hold: the read refuses it at once', async () => {
    const url = await postgres!.createDatabase();
    // A bound far longer than the test's: resolving at all shows it did not wait for it.
    const a = await open(url, { revisionWaitMs: 600_000 });
    await create(a, 'only');
    const beyond = a.head() + 5;
    await a.reach(beyond);
    expect(() => a.get('Pod', 'default', 'only', beyond)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
    // A revision the replica has is there at once.
    await a.reach(a.head());
  });
});
