import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespace, manifest, manifests, startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { eventually } from '../support/processes.js';

// Owners here are Services without a selector and ConfigMap-like Leases: no controller acts on them,
// so only the garbage collector moves (a ReplicaSet controller runs in the same process).
let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
  await createNamespace(cp.api, NS);
});
afterAll(() => cp?.close());

const NS = 'gc';
const HOLD = 'test.kubeql.io/hold';

interface Ref {
  kind: string;
  name: string;
  uid: string;
  apiVersion: string;
  blockOwnerDeletion?: boolean;
}

async function owner(name: string): Promise<Ref> {
  const data = await cp.api.ok(`mutation($i: ServiceInput!) { createService(input: $i) { metadata { uid } } }`, {
    i: { metadata: { name, namespace: NS }, spec: { ports: [{ port: 80 }] } },
  });
  return { apiVersion: 'v1', kind: 'Service', name, uid: data.createService.metadata.uid };
}

async function dependentPod(name: string, owners: Ref[], finalizers?: string[]): Promise<void> {
  await cp.api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, {
    i: { metadata: { name, namespace: NS, ownerReferences: owners, finalizers }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } },
  });
}

async function dependentLease(name: string, owners: Ref[]): Promise<void> {
  await cp.api.ok(`mutation($i: LeaseInput!) { createLease(input: $i) { metadata { name } } }`, { i: { metadata: { name, namespace: NS, ownerReferences: owners } } });
}

const pod = (name: string) => manifest(cp.api, 'pod', NS, name);
const lease = (name: string) => manifest(cp.api, 'lease', NS, name);
const service = (name: string) => manifest(cp.api, 'service', NS, name);
const gone = (read: () => Promise<unknown>) => eventually(async () => (await read()) === null, 10_000);
const release = (name: string) => cp.api.ok(`mutation($n: String!) { patchPod(namespace: "gc", name: $n, patch: { metadata: { finalizers: null } }) { metadata { name } } }`, { n: name });

describe('garbage collector', () => {
  it('background: dependents of every kind go with their owner; one with another live owner stays, without the dead reference', async () => {
    const bg = await owner('bg');
    const keeper = await owner('keeper');
    await dependentPod('bg-pod', [bg]);
    await dependentLease('bg-lease', [bg]);
    await dependentPod('bg-shared', [bg, keeper]);
    await cp.api.ok(`mutation { deleteService(namespace: "gc", name: "bg") { metadata { name } } }`);
    await gone(() => pod('bg-pod'));
    await gone(() => lease('bg-lease'));
    const shared = await eventually(async () => {
      const p = await pod('bg-shared');
      return p?.metadata.ownerReferences?.length === 1 ? p : undefined;
    });
    expect(shared.metadata.ownerReferences).toEqual([keeper]);
    expect(shared.metadata.deletionTimestamp).toBeUndefined();
  });

  it('a dependent whose owner was replaced by a new object of the same name (another uid) is deleted', async () => {
    const first = await owner('again');
    await cp.api.ok(`mutation { deleteService(namespace: "gc", name: "again") { metadata { name } } }`);
    const second = await owner('again');
    expect(second.uid).not.toBe(first.uid);
    await dependentPod('of-first', [first]);
    await dependentPod('of-second', [second]);
    await gone(() => pod('of-first'));
    // The dependent of the live owner stays (the collector has been through both by now).
    await new Promise((r) => setTimeout(r, 300));
    const kept = await pod('of-second');
    expect(kept?.metadata.deletionTimestamp).toBeUndefined();
  });

  it('foreground: the owner waits, deleting, until its blocking dependents are gone; non-blocking ones do not hold it', async () => {
    const fg = await owner('fg');
    await dependentPod('fg-blocking', [{ ...fg, blockOwnerDeletion: true }], [HOLD]);
    await dependentPod('fg-free', [{ ...fg, blockOwnerDeletion: false }], [HOLD]);
    await dependentLease('fg-lease', [{ ...fg, blockOwnerDeletion: true }]);
    const deleting = await cp.api.ok(`mutation { deleteService(namespace: "gc", name: "fg", propagationPolicy: Foreground) { metadata { deletionTimestamp finalizers } } }`);
    expect(deleting.deleteService.metadata.finalizers).toEqual(['foregroundDeletion']);

    await gone(() => lease('fg-lease'));
    await eventually(async () => (await pod('fg-blocking'))?.metadata.deletionTimestamp && (await pod('fg-free'))?.metadata.deletionTimestamp);
    // Both held by their finalizer; the owner waits for the blocking one.
    await release('fg-free');
    await gone(() => pod('fg-free'));
    await new Promise((r) => setTimeout(r, 500));
    const waiting = await service('fg');
    expect(waiting?.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(waiting?.metadata.deletionTimestamp).toBeTruthy();

    await release('fg-blocking');
    await gone(() => pod('fg-blocking'));
    await gone(() => service('fg'));
  });

  it("foreground through a chain: the owner waits for its dependents' dependents", async () => {
    const top = await owner('chain');
    const data = await cp.api.ok(`mutation($i: LeaseInput!) { createLease(input: $i) { metadata { uid } } }`, {
      i: { metadata: { name: 'chain-mid', namespace: NS, ownerReferences: [{ ...top, blockOwnerDeletion: true }] } },
    });
    const mid: Ref = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name: 'chain-mid', uid: data.createLease.metadata.uid };
    await dependentPod('chain-leaf', [{ ...mid, blockOwnerDeletion: true }], [HOLD]);
    await cp.api.ok(`mutation { deleteService(namespace: "gc", name: "chain", propagationPolicy: Foreground) { metadata { name } } }`);
    // The middle object is deleted in the foreground in its turn, and the leaf is being deleted (held by its finalizer).
    const midDeleting = await eventually(async () => {
      const l = await lease('chain-mid');
      return l?.metadata.deletionTimestamp && (await pod('chain-leaf'))?.metadata.deletionTimestamp ? l : undefined;
    });
    expect(midDeleting.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(midDeleting.metadata.ownerReferences).toEqual([{ ...top, blockOwnerDeletion: true }]);
    await new Promise((r) => setTimeout(r, 500));
    expect((await service('chain'))?.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(await lease('chain-mid')).not.toBeNull();

    await release('chain-leaf');
    await gone(() => pod('chain-leaf'));
    await gone(() => lease('chain-mid'));
    await gone(() => service('chain'));
  });

  it('orphan: the owner goes; its dependents stay, without their reference to it', async () => {
    const or = await owner('or');
    const keeper = await owner('keeper-2');
    await dependentPod('or-only', [or]);
    await dependentPod('or-shared', [or, keeper]);
    await dependentLease('or-lease', [or]);
    const deleting = await cp.api.ok(`mutation { deleteService(namespace: "gc", name: "or", propagationPolicy: Orphan) { metadata { finalizers } } }`);
    expect(deleting.deleteService.metadata.finalizers).toEqual(['orphan']);
    await gone(() => service('or'));
    // The finalizer came off only after the references did.
    const only = await pod('or-only');
    expect(only.metadata.ownerReferences).toBeUndefined();
    expect(only.metadata.deletionTimestamp).toBeUndefined();
    expect((await pod('or-shared')).metadata.ownerReferences).toEqual([keeper]);
    expect((await lease('or-lease')).metadata.ownerReferences).toBeUndefined();
  });

  it('ReplicaSet → Pod: deleting the ReplicaSet takes every pod it owns, whoever created them', async () => {
    const labels = { app: 'gc-rs' };
    const data = await cp.api.ok(`mutation($i: ReplicaSetInput!) { createReplicaSet(input: $i) { metadata { uid } } }`, {
      i: { metadata: { name: 'rs', namespace: NS }, spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } } } },
    });
    const rs: Ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: data.createReplicaSet.metadata.uid };
    for (const name of ['rs-a', 'rs-b'])
      await cp.api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, {
        i: { metadata: { name, namespace: NS, labels, ownerReferences: [{ ...rs, controller: true, blockOwnerDeletion: true }] }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } },
      });
    const owned = async () => (await manifests(cp.api, 'pods', NS)).filter((p) => p.metadata.ownerReferences?.some((r: Ref) => r.uid === rs.uid));
    expect((await owned()).length).toBeGreaterThanOrEqual(1);
    await cp.api.ok(`mutation { deleteReplicaSet(namespace: "gc", name: "rs") { metadata { name } } }`);
    await gone(() => manifest(cp.api, 'replicaSet', NS, 'rs'));
    await eventually(async () => (await owned()).length === 0, 10_000);
  });
});
