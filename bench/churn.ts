/**
 * Churn: 2,000,000 updates of 10,000 objects written through the store (big group-committed jobs,
 * synchronous=NORMAL) with retention (keep 100,000 revisions, applied every 50,000 writes, as the
 * server's retention timer would), sampling the database and WAL sizes. Shows that the files stay
 * bounded (compaction, incremental vacuum, truncating checkpoints) where without retention they
 * would grow with every write.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from '../server/store/sqlite/create-store.js';
import { registryAllocations } from '../server/store/registry-allocations.js';
import { applyRetention } from '../server/store/retention.js';
import type { KObject } from '../server/resources/kind.js';
import { fmt, machine, verdict } from './stats.js';

const UPDATES = Number(process.env.CHURN_UPDATES ?? 2_000_000);
const OBJECTS = 10_000;
const KEEP = 100_000;
const RETAIN_EVERY = 50_000;
const JOB = 5_000;
const MiB = 2 ** 20;
/** 10,000 current objects + ~150,000 retained events and versions of ~0.6 KiB, with indexes. */
const BOUND_MIB = 400;

const size = (f: string) => statSync(f, { throwIfNoEntry: false })?.size ?? 0;

function lease(i: number, step: number): KObject {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: `node-${i}`, namespace: 'kube-node-lease', uid: `uid-${i}`, resourceVersion: '0', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { holderIdentity: `node-${i}`, leaseDurationSeconds: 40, renewTime: new Date(1_700_000_000_000 + step).toISOString(), step },
  };
}

export async function run(): Promise<void> {
  console.log(`\n== churn: ${UPDATES.toLocaleString('en-US')} updates of ${OBJECTS.toLocaleString('en-US')} objects with retention ${KEEP.toLocaleString('en-US')} revisions`);
  console.log(`machine: ${machine()}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'kubeql-bench-churn-'));
  const file = join(dataDir, 'kubeql.db');
  try {
    const store = createStore({ dataDir, synchronous: 'NORMAL', allocationsOf: registryAllocations });
    const started = performance.now();
    let written = 0;
    let peak = 0;
    const samples: string[] = [];
    while (written < UPDATES + OBJECTS) {
      await store.write((tx) => {
        for (let k = 0; k < JOB; k++, written++)
          tx.append({ actor: 'bench', verb: written < OBJECTS ? 'create' : 'update', type: written < OBJECTS ? 'ADDED' : 'MODIFIED', object: lease(written % OBJECTS, written) });
      });
      const now = size(file) + size(`${file}-wal`);
      peak = Math.max(peak, now);
      if (written % RETAIN_EVERY === 0) applyRetention(store, { keepRevisions: KEEP });
      if (written % 250_000 === 0) samples.push(`${(written / 1e6).toFixed(2)}M: db ${fmt(size(file) / MiB, 0)} MiB + WAL ${fmt(size(`${file}-wal`) / MiB, 0)} MiB`);
    }
    const ms = performance.now() - started;
    store.close();
    for (const s of samples) console.log(`  after ${s}`);
    console.log(`${written.toLocaleString('en-US')} writes in ${fmt(ms / 1000, 1)} s (${fmt((written / ms) * 1000, 0)}/s); peak db + WAL ${fmt(peak / MiB, 0)} MiB; after close ${fmt(size(file) / MiB, 0)} MiB`);
    console.log(`bound: db + WAL ≤ ${BOUND_MIB} MiB throughout (got ${fmt(peak / MiB, 0)}): ${verdict(peak <= BOUND_MIB * MiB)}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
