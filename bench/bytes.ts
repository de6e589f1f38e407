/**
 * Bytes per event: pods created and then updated through the store (group-committed jobs, as the
 * API server writes them), then the database file's size (WAL checkpointed into it) divided by the
 * events it holds, and how many bytes of object bodies each table holds against the bytes of the
 * distinct versions written. Run again after a compaction of half the log: what the file keeps.
 * Sizes from the environment: BYTES_PODS (default 2,000), BYTES_UPDATES (default 20,000).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createStore } from '../server/store/sqlite/create-store.js';
import { registryAllocations } from '../server/store/registry-allocations.js';
import type { KObject } from '../server/resources/kind.js';
import { fmt, machine } from './stats.js';

const PODS = Number(process.env.BYTES_PODS ?? 2_000);
const UPDATES = Number(process.env.BYTES_UPDATES ?? 20_000);
const JOB = 500;
const NS = 'bench-bytes';

/** A pod as a ReplicaSet creates it and a node agent reports it (about 1.2 KiB of JSON). */
function pod(i: number, step: number): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `web-7d4b9c-${i}`,
      namespace: NS,
      uid: `0f1e2d3c-4b5a-6978-8796-${String(i).padStart(12, '0')}`,
      resourceVersion: '0',
      generation: 1,
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { app: 'web', 'pod-template-hash': '7d4b9c', tier: i % 10 === 0 ? 'gold' : 'standard' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7d4b9c', uid: 'rs-uid-0001', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      nodeName: `node-${i % 200}`,
      containers: [
        {
          name: 'web',
          image: 'registry.example.com/web:1.27.3',
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
          env: [{ name: 'MODE', value: 'production' }],
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      serviceAccountName: 'default',
    },
    status: {
      phase: step === 0 ? 'Pending' : 'Running',
      podIP: `10.${(i >> 8) & 255}.${i & 255}.${step % 250}`,
      hostIP: `192.168.${(i % 200) >> 8}.${i % 200}`,
      startTime: '2026-01-01T00:00:01Z',
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' },
        { type: 'Ready', status: step === 0 ? 'False' : 'True', lastTransitionTime: new Date(1_767_225_600_000 + step * 1000).toISOString() },
      ],
      containerStatuses: [{ name: 'web', ready: step !== 0, restartCount: step % 7, image: 'registry.example.com/web:1.27.3', started: step !== 0 }],
    },
  };
}

interface Held {
  events: number;
  versions: number;
  fileBytes: number;
  eventBodies: number;
  objectBodies: number;
  /** Bytes of every distinct version's body that a read can still reach (alive at or above the floor). */
  distinctBodies: number;
}

function measure(file: string): Held {
  const db = new Database(file, { readonly: true });
  try {
    const one = (q: string) => (db.prepare(q).pluck().get() as number | null) ?? 0;
    const fileBytes = statSync(file).size;
    return {
      events: one('SELECT count(*) FROM events'),
      versions: one('SELECT count(*) FROM objects'),
      fileBytes,
      eventBodies: one('SELECT sum(length(object)) FROM events'),
      objectBodies: one('SELECT sum(length(object)) FROM objects'),
      // A version's body is its opening event's object; a delete's event is no version's.
      distinctBodies:
        one(`SELECT sum(length(object)) FROM events WHERE type <> 'DELETED'`) +
        one(`SELECT sum(length(o.object)) FROM objects o WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.revision = o.from_rev)`),
    };
  } finally {
    db.close();
  }
}

function print(label: string, h: Held): void {
  const stored = h.eventBodies + h.objectBodies;
  console.log(
    `${label}: ${h.events.toLocaleString('en-US')} events, ${h.versions.toLocaleString('en-US')} versions; file ${fmt(h.fileBytes / 2 ** 20, 1)} MiB = ${fmt(h.fileBytes / Math.max(1, h.events), 0)} B per event held; ` +
      `bodies stored ${fmt(stored / 2 ** 20, 1)} MiB (events ${fmt(h.eventBodies / 2 ** 20, 1)}, objects ${fmt(h.objectBodies / 2 ** 20, 1)}) for ${fmt(h.distinctBodies / 2 ** 20, 1)} MiB of distinct versions (${fmt(stored / Math.max(1, h.distinctBodies), 2)}×)`,
  );
}

export async function run(): Promise<void> {
  console.log(`\n== bytes: ${PODS.toLocaleString('en-US')} pods created, ${UPDATES.toLocaleString('en-US')} status updates; the database's bytes per event held`);
  console.log(`machine: ${machine()}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'kubeql-bench-bytes-'));
  const file = join(dataDir, 'kubeql.db');
  try {
    const store = createStore({ dataDir, synchronous: 'NORMAL', allocationsOf: registryAllocations });
    const total = PODS + UPDATES;
    for (let written = 0; written < total; ) {
      await store.write((tx) => {
        for (let k = 0; k < JOB && written < total; k++, written++) {
          const step = written < PODS ? 0 : Math.floor(written / PODS);
          tx.append({ actor: 'bench', verb: step === 0 ? 'create' : 'updateStatus', type: step === 0 ? 'ADDED' : 'MODIFIED', object: pod(written % PODS, step) });
        }
      });
    }
    const head = store.head();
    // Closing checkpoints the WAL into the file and truncates it.
    store.close();
    print('written', measure(file));
    const reopened = createStore({ dataDir, synchronous: 'NORMAL', allocationsOf: registryAllocations });
    reopened.compact(Math.floor(head / 2));
    reopened.close();
    print('half compacted', measure(file));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
