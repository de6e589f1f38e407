/**
 * Per-kind retention: a high-churn kind (Lease) is compacted far sooner than the rest of the log,
 * so Lease renewals cannot grow the database, while other kinds keep their history.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POD, startTestApi, type TestApi } from '../support/api.js';

const LEASES = 60;
const LEASE_AGE_MS = 1500;
const size = (f: string) => statSync(f, { throwIfNoEntry: false })?.size ?? 0;
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ retention: { maxAgeMs: 3600_000, kinds: { Lease: LEASE_AGE_MS, Event: LEASE_AGE_MS }, intervalMs: 200 } });
});
afterAll(async () => {
  await api?.close();
});

/** One round: every Lease renewed (30 per request). */
async function renewAll(round: number): Promise<void> {
  const verb = round === 0 ? 'createLease' : 'updateLease';
  for (let k = 0; k < LEASES; k += 30) {
    const names = Array.from({ length: Math.min(30, LEASES - k) }, (_, j) => `l-${k + j}`);
    const vars = names.map((_, j) => `$i${j}: LeaseInput!`).join(', ');
    const fields = names.map((_, j) => `r${j}: ${verb}(input: $i${j}) { metadata { name } }`).join('\n');
    const values = Object.fromEntries(names.map((n, j) => [`i${j}`, { metadata: { name: n, namespace: 'kube-node-lease' }, spec: { holderIdentity: n, leaseDurationSeconds: 40, renewTime: new Date().toISOString() } }]));
    await api.ok(`mutation(${vars}) {\n${fields}\n}`, values);
  }
}

describe('per-kind retention under Lease churn', () => {
  it('superseded Lease versions go within the retention; the database stops growing; other kinds keep their history', async () => {
    for (let i = 0; i < 5; i++) await api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, { i: POD(`kept-${i}`) });
    await api.ok(`mutation { patchPod(namespace: "default", name: "kept-0", patch: { metadata: { labels: { step: "2" } } }) { metadata { name } } }`);
    const early = api.server.store.head();
    const db = join(api.dataDir, 'kubeql.db');
    const peaks: number[] = [];
    let round = 0;
    for (const phase of [0, 1, 2, 3, 4]) {
      let peak = 0;
      const until = Date.now() + 3000;
      while (Date.now() < until) {
        await renewAll(round++);
        peak = Math.max(peak, size(db) + size(`${db}-wal`));
      }
      peaks.push(peak);
      void phase;
    }
    await new Promise((r) => setTimeout(r, LEASE_AGE_MS + 600));
    const head = api.server.store.head();
    const leaseEvents = api.db().prepare(`SELECT count(*) FROM events WHERE kind = 'Lease'`).pluck().get() as number;
    const leaseVersions = api.db().prepare(`SELECT count(*) FROM objects WHERE kind = 'Lease'`).pluck().get() as number;
    const bytes = size(db) + size(`${db}-wal`);
    console.log(`lease churn: ${round} rounds of ${LEASES} renewals, head ${head}; Lease events held ${leaseEvents}, versions ${leaseVersions}; db+WAL peaks by phase ${peaks.map((p) => (p / 2 ** 20).toFixed(1)).join(', ')} MiB`);
    // Written: every renewal; held: only what the last LEASE_AGE_MS (+ one pass) wrote, and every current Lease.
    expect(round * LEASES).toBeGreaterThan(leaseEvents * 2);
    expect(leaseVersions).toBeGreaterThanOrEqual(LEASES);
    expect(leaseVersions).toBeLessThan(round * LEASES / 2);
    // Bounded: each phase writes ~1 MiB a second of Lease versions (log and projection); the database does not keep them.
    // Phase 0 is before the first versions are old enough to go (and holds less on a loaded machine).
    // A database keeping them would hold twice phase 1's peak by phase 3 and more after; one that
    // reuses their space stays level, give or take the WAL between checkpoints (either late phase may spike).
    expect(Math.min(peaks[3], peaks[4])).toBeLessThan(peaks[1] * 1.5);
    void bytes;
    // Other kinds' history is kept: every pod event is there.
    expect(api.db().prepare(`SELECT count(*) FROM events WHERE kind = 'Pod'`).pluck().get()).toBe(6);
    expect((await api.ok(`query($r: Revision) { pods(namespace: "default", atRevision: $r) { edges { node { metadata { name } } } } }`, { r: String(early) })).pods.edges).toHaveLength(5);
    // A Lease read below its floor is EXPIRED, with the floor; a watch resuming there too.
    const old = await api.gql(`query($r: Revision) { leases(namespace: "kube-node-lease", atRevision: $r) { edges { node { metadata { name } } } } }`, { r: String(early + 1) });
    expect(old.errors?.[0].extensions?.code).toBe('EXPIRED');
    // Replay rebuilds the same projections from the snapshots (the log's and the Lease kind's) and the log.
    expect((await api.ok('mutation { replay(verify: true) { match } }')).replay.match).toBe(true);
    // The current Leases are all there.
    expect((await api.ok(`{ leases(namespace: "kube-node-lease", first: 1000) { edges { node { metadata { name } } } } }`)).leases.edges).toHaveLength(LEASES);
  }, 120_000);
});
