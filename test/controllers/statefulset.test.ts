/**
 * The StatefulSet controller with the scheduler, node agents and the Endpoints controller: the docs'
 * web StatefulSet with its headless Service nginx gets web-0 then web-1, each only once the one
 * before is Running and Ready, stable hostnames in the Endpoints; scales up in order and down in
 * reverse; rolls an update from the highest ordinal down to the partition; Parallel makes all at
 * once; a kill -9 of the controller-manager mid-scale converges with each pod made once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifest, manifests } from '../support/control-plane.js';
import { WEB_STATEFULSET } from '../support/manifests.js';
import { eventually } from '../support/processes.js';
import { logRows, startWorkloadPlane, type LogRow, type WorkloadPlane } from '../support/workload-plane.js';

let plane: WorkloadPlane;
beforeAll(async () => {
  plane = await startWorkloadPlane({ nodes: 2 });
});
afterAll(() => plane?.close());

const NS = 'default';
const APPLY = `mutation($m: String!) { apply(manifests: $m) { objects { name action } } }`;
const SCALE = `mutation($n: String!, $r: Int!) { scaleStatefulSet(namespace: "default", name: $n, replicas: $r) { metadata { generation } } }`;
const PATCH = `mutation($n: String!, $p: JSON!) { patchStatefulSet(namespace: "default", name: $n, patch: $p) { metadata { generation } } }`;
const CREATE = `mutation($i: StatefulSetInput!) { createStatefulSet(input: $i) { metadata { uid } } }`;

const livePods = async (set: string) =>
  (await manifests(plane.api, 'pods', NS)).filter((p) => p.metadata.ownerReferences?.some((r: any) => r.kind === 'StatefulSet' && r.name === set) && !p.metadata.deletionTimestamp);

/** Waits for the set's status to report `replicas` pods, all ready and on the update revision. */
function settled(name: string, replicas: number, check: (set: any, pods: any[]) => boolean = () => true): Promise<{ set: any; pods: any[] }> {
  return eventually(
    async () => {
      const set = await manifest(plane.api, 'statefulSet', NS, name);
      const s = set.status;
      if (s.observedGeneration !== set.metadata.generation || s.replicas !== replicas || (s.readyReplicas ?? 0) !== replicas || (s.updatedReplicas ?? 0) !== replicas || s.currentRevision !== s.updateRevision)
        return undefined;
      const pods = await livePods(name);
      return pods.length === replicas && check(set, pods) ? { set, pods } : undefined;
    },
    40_000,
    () => plane.controllers.output().slice(-2000),
  ) as Promise<{ set: any; pods: any[] }>;
}

const podRows = (set: string): LogRow[] => logRows(plane.api, NS, ['Pod']).filter((r) => r.object.metadata.ownerReferences?.some((o: any) => o.kind === 'StatefulSet' && o.name === set));
const isReady = (o: any) => o.status?.phase === 'Running' && o.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
const firstRevision = (rows: LogRow[], name: string, test: (r: LogRow) => boolean, after = 0) => rows.find((r) => r.name === name && r.revision > after && test(r))?.revision;

describe('statefulset controller', () => {
  it("brings the docs' web StatefulSet up in order, with stable identities in the headless Service's Endpoints", async () => {
    await plane.api.ok(APPLY, { m: WEB_STATEFULSET });
    const { set, pods } = await settled('web', 2);
    expect(pods.map((p) => p.metadata.name).sort()).toEqual(['web-0', 'web-1']);
    const revision = set.status.updateRevision;
    expect(revision).toMatch(/^web-[a-z0-9]+$/);
    expect(set.status).toEqual({ observedGeneration: 1, replicas: 2, readyReplicas: 2, currentReplicas: 2, updatedReplicas: 2, availableReplicas: 2, currentRevision: revision, updateRevision: revision, collisionCount: 0 });
    for (const pod of pods) {
      const name = pod.metadata.name;
      expect(pod.spec.hostname).toBe(name);
      expect(pod.spec.subdomain).toBe('nginx');
      expect(pod.metadata.labels).toEqual({ app: 'nginx', 'controller-revision-hash': revision, 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': name.slice(4) });
      expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    // OrderedReady: web-1 was created only after web-0 was Running and Ready; nothing was made twice.
    const rows = podRows('web');
    expect(rows.filter((r) => r.type === 'ADDED').map((r) => r.name)).toEqual(['web-0', 'web-1']);
    expect(rows.filter((r) => r.type === 'DELETED')).toEqual([]);
    expect(firstRevision(rows, 'web-1', (r) => r.type === 'ADDED')!).toBeGreaterThan(firstRevision(rows, 'web-0', (r) => isReady(r.object))!);
    // The headless Service's Endpoints name each pod by its hostname.
    const endpoints = await eventually(async () => {
      const ep = await manifest(plane.api, 'endpoints', NS, 'nginx');
      return ep?.subsets?.[0]?.addresses?.length === 2 ? ep : undefined;
    }, 20_000);
    expect(endpoints.subsets[0].addresses.map((a: any) => [a.hostname, a.targetRef.name]).sort()).toEqual([['web-0', 'web-0'], ['web-1', 'web-1']]);
    expect(endpoints.subsets[0].ports).toEqual([{ name: 'web', port: 80, protocol: 'TCP' }]);
    expect(endpoints.metadata.labels['service.kubernetes.io/headless']).toBe('');
  });

  it('scales up one ordinal at a time, and down in reverse order, each deletion after the one above is gone', async () => {
    const from = logRows(plane.api, NS, ['Pod']).at(-1)!.revision;
    await plane.api.ok(SCALE, { n: 'web', r: 5 });
    await settled('web', 5);
    let rows = podRows('web');
    for (const [lower, higher] of [['web-1', 'web-2'], ['web-2', 'web-3'], ['web-3', 'web-4']])
      expect(firstRevision(rows, higher, (r) => r.type === 'ADDED', from)!).toBeGreaterThan(firstRevision(rows, lower, (r) => isReady(r.object))!);

    const mid = logRows(plane.api, NS, ['Pod']).at(-1)!.revision;
    await plane.api.ok(SCALE, { n: 'web', r: 2 });
    const { pods } = await settled('web', 2);
    expect(pods.map((p) => p.metadata.name).sort()).toEqual(['web-0', 'web-1']);
    rows = podRows('web');
    const deleting = (name: string) => firstRevision(rows, name, (r) => Boolean(r.object.metadata.deletionTimestamp), mid)!;
    const gone = (name: string) => firstRevision(rows, name, (r) => r.type === 'DELETED', mid)!;
    expect(deleting('web-3')).toBeGreaterThan(gone('web-4'));
    expect(deleting('web-2')).toBeGreaterThan(gone('web-3'));
  });

  it('rolls a new template out from the highest ordinal down to the partition, then the rest', async () => {
    await plane.api.ok(SCALE, { n: 'web', r: 3 });
    const before = await settled('web', 3);
    const oldRevision = before.set.status.currentRevision;
    await plane.api.ok(PATCH, { n: 'web', p: { spec: { updateStrategy: { rollingUpdate: { partition: 1 } }, template: { spec: { containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.27', ports: [{ containerPort: 80, name: 'web' }] }] } } } } });
    const partial = await eventually(async () => {
      const set = await manifest(plane.api, 'statefulSet', NS, 'web');
      const s = set.status;
      return s.observedGeneration === set.metadata.generation && s.updatedReplicas === 2 && s.readyReplicas === 3 ? set : undefined;
    }, 40_000, () => plane.controllers.output().slice(-2000));
    const newRevision = partial.status.updateRevision;
    expect(newRevision).not.toBe(oldRevision);
    expect(partial.status.currentRevision).toBe(oldRevision);
    const byName = Object.fromEntries((await livePods('web')).map((p) => [p.metadata.name, p]));
    expect(byName['web-0'].metadata.labels['controller-revision-hash']).toBe(oldRevision);
    expect(byName['web-0'].spec.containers[0].image).toBe('registry.k8s.io/nginx-slim:0.24');
    for (const n of ['web-1', 'web-2']) {
      expect(byName[n].metadata.labels['controller-revision-hash']).toBe(newRevision);
      expect(byName[n].spec.containers[0].image).toBe('registry.k8s.io/nginx-slim:0.27');
    }
    // Highest first: web-2 was replaced before web-1 was touched.
    const rows = podRows('web');
    const deleted = (name: string) => rows.find((r) => r.name === name && r.object.metadata.deletionTimestamp && r.object.metadata.labels['controller-revision-hash'] === oldRevision)!.revision;
    expect(deleted('web-1')).toBeGreaterThan(deleted('web-2'));

    await plane.api.ok(PATCH, { n: 'web', p: { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } } });
    const done = await settled('web', 3, (_, pods) => pods.every((p) => p.spec.containers[0].image === 'registry.k8s.io/nginx-slim:0.27'));
    expect(done.set.status.currentRevision).toBe(newRevision);
  });

  it('with Parallel, makes every pod without waiting for the ones before', async () => {
    await plane.api.ok(CREATE, {
      i: {
        metadata: { name: 'par', namespace: NS },
        spec: { podManagementPolicy: 'Parallel', replicas: 4, selector: { matchLabels: { app: 'par' } }, template: { metadata: { labels: { app: 'par' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
      },
    });
    await settled('par', 4);
    const rows = podRows('par');
    expect(firstRevision(rows, 'par-3', (r) => r.type === 'ADDED')!).toBeLessThan(firstRevision(rows, 'par-0', (r) => isReady(r.object))!);
  });

  it('converges after a kill -9 of the controller-manager mid-scale, each pod made once and in order', async () => {
    await plane.api.ok(CREATE, {
      i: {
        metadata: { name: 'db', namespace: NS },
        spec: { replicas: 8, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } },
      },
    });
    await eventually(() => podRows('db').filter((r) => r.type === 'ADDED').length >= 3, 30_000);
    plane.controllers.kill();
    expect(podRows('db').filter((r) => r.type === 'ADDED').length).toBeLessThan(8);
    plane.startControllers();
    await settled('db', 8);
    const added = podRows('db').filter((r) => r.type === 'ADDED').map((r) => r.name);
    expect(added).toEqual(['db-0', 'db-1', 'db-2', 'db-3', 'db-4', 'db-5', 'db-6', 'db-7']);
    expect(podRows('db').filter((r) => r.type === 'DELETED')).toEqual([]);
  });
});
