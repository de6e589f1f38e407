/**
 * A synthetic cluster history written straight through the store (the benchmarks' seeding path,
 * no HTTP): nodes with pod CIDRs, services with ClusterIPs, node leases and pods, then a stream of
 * changes shaped like a busy cluster's (lease renewals, pod status updates, relabels, pod churn),
 * appended in big group-committed jobs.
 */
import { randomUUID } from 'node:crypto';
import type { KObject } from '../server/resources/kind.js';
import type { AppendInput, Store, WriteTx } from '../server/store/types.js';

const NODES = 100;
const SERVICES = 100;
const LEASES = 1_000;
const PODS = 10_000;
const JOB_EVENTS = 5_000;

/** A small deterministic PRNG (mulberry32), so every run writes the same history. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const meta = (name: string, namespace: string | undefined, labels?: Record<string, string>) => ({
  name,
  ...(namespace ? { namespace } : {}),
  uid: randomUUID(),
  resourceVersion: '0',
  generation: 1,
  creationTimestamp: new Date().toISOString(),
  ...(labels ? { labels } : {}),
});

const node = (i: number): KObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: meta(`node-${i}`, undefined, { 'kubernetes.io/hostname': `node-${i}`, zone: `z${i % 3}` }),
  spec: { podCIDR: `10.128.${i}.0/24` },
  status: { capacity: { cpu: '8', memory: '32Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
});

const service = (i: number): KObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: meta(`svc-${i}`, 'default', { app: `app-${i}` }),
  spec: { selector: { app: `app-${i}` }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }], clusterIP: `10.96.${i >> 8}.${(i & 255) + 1}`, type: 'ClusterIP' },
});

const lease = (i: number): KObject => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: meta(`node-${i}`, 'kube-node-lease'),
  spec: { holderIdentity: `node-${i}`, leaseDurationSeconds: 40, renewTime: new Date().toISOString() },
});

const pod = (i: number): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: meta(`pod-${i}`, 'default', { app: `app-${i % SERVICES}`, tier: i % 10 === 0 ? 'gold' : 'bronze' }),
  spec: {
    nodeName: `node-${i % NODES}`,
    containers: [{ name: 'app', image: 'registry.example.com/app:1.0', ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '100m', memory: '128Mi' } } }],
  },
  status: { phase: 'Pending' },
});

export interface WorkloadStats {
  events: number;
  ms: number;
}

/** Appends `total` events (creates first, then changes) to `store`. */
export async function writeWorkload(store: Store, total: number, onProgress?: (written: number) => void): Promise<WorkloadStats> {
  const started = performance.now();
  const rand = random(42);
  const live = new Map<string, KObject>();
  const creates: KObject[] = [
    ...Array.from({ length: NODES }, (_, i) => node(i)),
    ...Array.from({ length: SERVICES }, (_, i) => service(i)),
    ...Array.from({ length: LEASES }, (_, i) => lease(i)),
    ...Array.from({ length: PODS }, (_, i) => pod(i)),
  ];
  const key = (o: KObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  let written = 0;

  const next = (): AppendInput => {
    if (written < creates.length) return { actor: 'bench', verb: 'create', type: 'ADDED', object: creates[written] };
    const r = rand();
    if (r < 0.6) {
      const o = structuredClone(live.get(`Lease/kube-node-lease/node-${Math.floor(rand() * LEASES)}`)!);
      (o.spec as Record<string, unknown>).renewTime = new Date().toISOString();
      return { actor: `system:node:${o.metadata.name}`, verb: 'update', type: 'MODIFIED', object: o };
    }
    const index = Math.floor(rand() * PODS);
    const current = live.get(`Pod/default/pod-${index}`);
    if (!current) return { actor: 'system:controller:replicaset', verb: 'create', type: 'ADDED', object: pod(index) };
    const o = structuredClone(current);
    if (r < 0.9) {
      o.status = { phase: rand() < 0.5 ? 'Running' : 'Pending', podIP: `10.128.0.${Math.floor(rand() * 250)}`, conditions: [{ type: 'Ready', status: rand() < 0.5 ? 'True' : 'False' }] };
      return { actor: 'system:node:node-1', verb: 'updateStatus', type: 'MODIFIED', object: o };
    }
    if (r < 0.96) {
      o.metadata.labels = { ...o.metadata.labels, tier: rand() < 0.1 ? 'gold' : 'bronze', rev: String(Math.floor(rand() * 5)) };
      return { actor: 'admin', verb: 'patch', type: 'MODIFIED', object: o };
    }
    return { actor: 'system:controller:replicaset', verb: 'delete', type: 'DELETED', object: o };
  };

  while (written < total) {
    const n = Math.min(JOB_EVENTS, total - written);
    await store.write((tx: WriteTx) => {
      for (let i = 0; i < n; i++) {
        const input = next();
        const event = tx.append(input);
        if (input.type === 'DELETED') live.delete(key(event.object));
        else live.set(key(event.object), event.object);
        written++;
      }
    });
    onProgress?.(written);
  }
  return { events: written, ms: performance.now() - started };
}
