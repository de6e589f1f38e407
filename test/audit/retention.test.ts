import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyRetention, retentionFloor, retentionSteps } from '../../server/store/retention.js';
import { POD, startTestApi, testBackend, type TestApi } from '../support/api.js';

const MiB = 2 ** 20;
const size = (f: string) => statSync(f, { throwIfNoEntry: false })?.size ?? 0;

/** `kubectl apply` of many pods in one request: each changed pod is one event (DESIGN §4 apply). */
async function applyPods(api: TestApi, names: string[], step: number) {
  const manifests = names
    .map((name) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default', labels: { app: 'churn' }, annotations: { step: String(step) } },
        spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
      }),
    )
    .join('\n---\n');
  const { apply } = await api.ok(`mutation($m: String!) { apply(manifests: $m) { revision objects { action } } }`, { m: manifests });
  return apply.objects.length as number;
}

/** Leases `<prefix><i>` in default: created, and renewed (a patch of leaseDurationSeconds to `n`). */
function leases(api: TestApi, prefix: string) {
  return {
    lease: (i: number) => api.ok(`mutation($i: LeaseInput!) { createLease(input: $i) { metadata { name } } }`, { i: { metadata: { name: `${prefix}${i}`, namespace: 'default' }, spec: { holderIdentity: 'n' } } }),
    renew: (i: number, n: number) => api.ok(`mutation { patchLease(namespace: "default", name: "${prefix}${i}", patch: { spec: { leaseDurationSeconds: ${n} } }) { metadata { name } } }`),
  };
}

const apis: TestApi[] = [];
afterAll(async () => {
  for (const a of apis) await a.close();
});

describe('retention', () => {
  // The bound: 1,000 pods and at most ~2,000 + one interval of retained revisions (events and
  // object versions, ~1 KiB each), plus a WAL of up to ~4 MiB between checkpoints, peak at 9-12 MiB;
  // the same churn without retention grows the database to ~58 MiB and its WAL to ~5 MiB.
  const BOUND = 20 * MiB;

  // SQLite's files: on PostgreSQL the database's size is PostgreSQL's (autovacuum), and its
  // compaction in the database and every replica is tested in test/store/postgres-maintenance.
  it.skipIf(testBackend === 'postgres')(`keeps the database and its WAL under ${BOUND / MiB} MiB through 20,000 updates of 1,000 objects with retention 2,000`, async () => {
    const api = await startTestApi({ retention: { keepRevisions: 2000, intervalMs: 100 } });
    apis.push(api);
    const db = join(api.dataDir, 'kubeql.db');
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, size(db) + size(`${db}-wal`))), 25);
    try {
      // 1,000 pods, then 20 rounds of an apply that changes every one of them: 20,000 updates.
      const names = Array.from({ length: 1000 }, (_, i) => `churn-${String(i).padStart(4, '0')}`);
      for (let step = 0; step <= 20; step++) for (let k = 0; k < 1000; k += 250) expect(await applyPods(api, names.slice(k, k + 250), step)).toBe(250);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      clearInterval(sampler);
    }
    const store = api.server.store;
    const head = store.head();
    expect(head).toBeGreaterThanOrEqual(21_003);
    expect(head - store.floor()).toBeLessThanOrEqual(2000 + 1500);
    expect(api.db().prepare('SELECT count(*) FROM events').pluck().get()).toBe(head - store.floor());
    const freelist = api.db().pragma('freelist_count', { simple: true }) as number;
    const autoVacuum = api.db().pragma('auto_vacuum', { simple: true });
    console.log(
      `churn: head ${head}, floor ${store.floor()}, peak db + WAL ${(peak / MiB).toFixed(1)} MiB (bound ${BOUND / MiB} MiB), now db ${(size(db) / MiB).toFixed(1)} MiB + WAL ${(size(`${db}-wal`) / MiB).toFixed(1)} MiB, free pages ${freelist}`,
    );
    expect(autoVacuum).toBe(2); // INCREMENTAL: set before the first table of a new database
    expect(peak).toBeLessThan(BOUND);
    expect(peak).toBeGreaterThan(0);
    expect((await api.ok('mutation { replay { match } }')).replay.match).toBe(true);
  }, 120_000);

  it('compacts by age as well as by revision count, whichever keeps less', async () => {
    const api = await startTestApi();
    apis.push(api);
    const store = api.server.store;
    const create = (name: string) => api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { resourceVersion } } }`, { i: POD(name) });
    for (let i = 0; i < 5; i++) await create(`old-${i}`);
    const lastOld = store.head();
    await new Promise((r) => setTimeout(r, 400));
    const cut = Date.now();
    await new Promise((r) => setTimeout(r, 400));
    for (let i = 0; i < 5; i++) await create(`new-${i}`);
    const now = Date.now();
    const age = now - cut;

    expect(retentionFloor(store, { maxAgeMs: age }, now)).toBe(lastOld);
    expect(retentionFloor(store, { maxAgeMs: 60_000 }, now)).toBe(0);
    // Both given: the stricter one decides.
    expect(retentionFloor(store, { maxAgeMs: age, keepRevisions: 2 }, now)).toBe(store.head() - 2);
    expect(retentionFloor(store, { maxAgeMs: age, keepRevisions: 100 }, now)).toBe(lastOld);
    expect(applyRetention(store, { maxAgeMs: age }, now)).toBe(lastOld);
    expect(store.floor()).toBe(lastOld);
    expect(api.db().prepare('SELECT min(revision) FROM events').pluck().get()).toBe(lastOld + 1);
    expect((await api.gql(`{ pods(atRevision: ${lastOld - 1}) { revision } }`)).errors?.[0].extensions?.code).toBe('EXPIRED');
  });

  it('moves each floor up in steps of at most stepRevisions, each a compaction of its own, to where one pass at once would', async () => {
    const api = await startTestApi();
    apis.push(api);
    const store = api.server.store;
    const { lease, renew } = leases(api, 'l');
    for (let i = 0; i < 3; i++) await lease(i);
    for (let n = 1; n <= 20; n++) for (let i = 0; i < 3; i++) await renew(i, n);
    for (let i = 0; i < 5; i++) await api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, { i: POD(`p${i}`) });
    const head = store.head();
    const options = { kinds: { Lease: 0 }, keepRevisions: 10, stepRevisions: 7 };

    const floors: Array<[number, number]> = [];
    const steps = retentionSteps(store, options, Date.now() + 1_000);
    let next = steps.next();
    for (; !next.done; next = steps.next()) floors.push([store.kindFloor('Lease'), store.floor()]);
    // The Lease floor first, 7 revisions at a time, up to the head; then the log's, up to head − 10.
    expect(next.value).toBe(head - 10);
    const moves = floors.map(([lease, log], i) => (i === 0 ? [lease, log] : [lease - floors[i - 1][0], log - floors[i - 1][1]]));
    expect(floors.at(-1)).toEqual([head, head - 10]);
    expect(floors.length).toBe(Math.ceil(head / 7) + Math.ceil((head - 10) / 7));
    for (const [lease, log] of moves.slice(1)) expect(Math.max(lease, log)).toBeLessThanOrEqual(7);
    // Each Lease keeps its current version; the Pods all their history above the log's floor.
    expect(api.db().prepare(`SELECT count(*) FROM objects WHERE kind = 'Lease'`).pluck().get()).toBe(3);
    expect(api.db().prepare(`SELECT count(*) FROM events WHERE kind = 'Pod'`).pluck().get()).toBe(5);
    expect((await api.ok('mutation { replay { match } }')).replay.match).toBe(true);
  });

  it('gives back the space once a pass, after its last step, and not when nothing moved', async () => {
    const api = await startTestApi();
    apis.push(api);
    const store = api.server.store;
    const { lease, renew } = leases(api, 'r');
    for (let i = 0; i < 3; i++) await lease(i);
    for (let n = 1; n <= 10; n++) for (let i = 0; i < 3; i++) await renew(i, n);
    // The real store, its reclaims counted.
    let reclaims = 0;
    const counted = {
      head: () => store.head(),
      floor: () => store.floor(),
      kindFloor: (kind: string) => store.kindFloor(kind),
      revisionBefore: (ms: number) => store.revisionBefore(ms),
      compact: (floor: number) => store.compact(floor),
      compactKind: (kind: string, floor: number) => store.compactKind(kind, floor),
      reclaim: () => {
        reclaims++;
        store.reclaim();
      },
    };
    const kindFloor = store.kindFloor('Lease');
    // Leases only (the log keeps everything): several steps of 7 revisions, one reclaim after them.
    expect(applyRetention(counted, { kinds: { Lease: 0 }, keepRevisions: 1_000_000, stepRevisions: 7 }, Date.now() + 1_000)).toBe(store.floor());
    expect(store.kindFloor('Lease')).toBeGreaterThan(kindFloor + 28);
    expect(reclaims).toBe(1);
    // Nothing to compact: nothing to give back.
    applyRetention(counted, { kinds: { Lease: 0 }, keepRevisions: 1_000_000, stepRevisions: 7 }, Date.now() + 1_000);
    expect(reclaims).toBe(1);
    // The Leases and the log move, each in several steps: one reclaim after them all.
    for (let i = 0; i < 3; i++) await renew(i, 11);
    const floor = store.floor();
    applyRetention(counted, { kinds: { Lease: 0 }, keepRevisions: 5, stepRevisions: 7 }, Date.now() + 1_000);
    expect(store.floor()).toBeGreaterThan(floor + 14);
    expect(reclaims).toBe(2);
  });
});
