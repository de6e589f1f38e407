import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { startFakeKubelet } from '../support/fake-kubelet.js';
import { eventually, startComponent, stopAllComponents, type Component } from '../support/processes.js';

let api: TestApi;
let cm: Component;
let kubelet: ReturnType<typeof startFakeKubelet>;
beforeAll(async () => {
  api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
  cm = startComponent('controllers/main.ts', ['--server', api.server.url], { LOG_LEVEL: 'debug' });
  kubelet = startFakeKubelet(api.server.url, { namespace: NS, readyAfterMs: 80 });
  await kubelet.waitForSync();
});
afterAll(async () => {
  await kubelet?.stop();
  await stopAllComponents();
  await api?.close();
});

const NS = 'default';
const REVISION = 'deployment.kubernetes.io/revision';
const CREATE = `mutation($i: DeploymentInput!) { createDeployment(input: $i) { metadata { uid generation } } }`;
const PATCH = `mutation($n: String!, $p: JSON!) { patchDeployment(namespace: "default", name: $n, patch: $p) { metadata { generation } } }`;
const SCALE = `mutation($n: String!, $r: Int!) { scaleDeployment(namespace: "default", name: $n, replicas: $r) { metadata { generation } } }`;

const deployment = (name: string, image: string, spec: Record<string, unknown> = {}) => ({
  metadata: { name, namespace: NS },
  spec: {
    replicas: 4,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
    ...spec,
  },
});
const imagePatch = (image: string) => ({ spec: { template: { spec: { containers: [{ name: 'app', image }] } } } });

const head = () => (api.db().prepare(`SELECT max(revision) AS r FROM events`).get() as { r: number }).r;

async function get(field: string, name: string): Promise<any> {
  return (await api.ok(`query($n: String!) { o: ${field}(namespace: "default", name: $n) { manifest } }`, { n: name })).o?.manifest ?? null;
}
async function list(field: string): Promise<any[]> {
  return (await api.ok(`{ l: ${field}(namespace: "default", first: 200) { edges { node { manifest } } } }`)).l.edges.map((e: any) => e.node.manifest);
}
const ownedBy = (o: any, uid: string) => o.metadata.ownerReferences?.some((r: any) => r.uid === uid && r.controller);
const isReady = (p: any) => p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');

async function replicaSetsOf(uid: string): Promise<any[]> {
  return (await list('replicaSets')).filter((rs) => ownedBy(rs, uid));
}

/** Until the rollout of `image` is complete: status as Kubernetes reports it, and only pods of that image left. */
async function rolledOut(name: string, uid: string, image: string, replicas: number): Promise<any> {
  return eventually(
    async () => {
      const d = await get('deployment', name);
      const s = d.status;
      if (s.observedGeneration !== d.metadata.generation || s.updatedReplicas !== replicas || s.availableReplicas !== replicas || s.replicas !== replicas) return undefined;
      const rsUids = new Set((await replicaSetsOf(uid)).map((rs) => rs.metadata.uid));
      const pods = (await list('pods')).filter((p) => p.metadata.ownerReferences?.some((r: any) => rsUids.has(r.uid)));
      const images = pods.map((p) => p.spec.containers[0].image);
      return pods.length === replicas && images.every((i) => i === image) ? d : undefined;
    },
    20_000,
    () => cm.output().slice(-3000),
  );
}

/** The log replayed from `from`: at each revision, the deployment's ready pods (Ready=True, not being deleted) and its pods not being deleted. */
function podCounts(uid: string, from: number): Array<{ revision: number; ready: number; live: number }> {
  const rows = api.db().prepare(`SELECT revision, type, kind, uid, object FROM events WHERE kind IN ('Pod', 'ReplicaSet') AND namespace = ? ORDER BY revision`).all(NS) as any[];
  const replicaSets = new Set<string>();
  const pods = new Map<string, { ready: boolean }>();
  const out = [];
  for (const row of rows) {
    const o = JSON.parse(row.object);
    if (row.kind === 'ReplicaSet') {
      if (ownedBy(o, uid)) replicaSets.add(row.uid);
    } else if (row.type === 'DELETED' || o.metadata.deletionTimestamp || !o.metadata.ownerReferences?.some((r: any) => replicaSets.has(r.uid))) {
      pods.delete(row.uid);
    } else pods.set(row.uid, { ready: isReady(o) });
    if (row.revision >= from) out.push({ revision: row.revision, ready: [...pods.values()].filter((p) => p.ready).length, live: pods.size });
  }
  return out;
}

describe('deployment controller', () => {
  it('rolls out with maxUnavailable 0 without ever going below 4 ready pods, and rolls back onto the old ReplicaSet', async () => {
    const strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    const { uid } = (await api.ok(CREATE, { i: deployment('web', 'nginx:1.25', { strategy }) })).createDeployment.metadata;
    const first = await rolledOut('web', uid, 'nginx:1.25', 4);
    expect(first.metadata.annotations[REVISION]).toBe('1');
    const conditions = Object.fromEntries(first.status.conditions.map((c: any) => [c.type, c]));
    expect(conditions.Available).toMatchObject({ status: 'True', reason: 'MinimumReplicasAvailable' });
    expect(conditions.Progressing).toMatchObject({ status: 'True', reason: 'NewReplicaSetAvailable' });
    const [rs1] = await replicaSetsOf(uid);
    const hash = rs1.metadata.labels['pod-template-hash'];
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rs1.metadata.name).toBe(`web-${hash}`);
    expect(rs1.spec.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs1.spec.template.metadata.labels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs1.metadata.annotations).toMatchObject({ [REVISION]: '1', 'deployment.kubernetes.io/desired-replicas': '4', 'deployment.kubernetes.io/max-replicas': '5' });
    expect(rs1.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid, controller: true, blockOwnerDeletion: true }]);

    const rolloutFrom = head() + 1;
    await api.ok(PATCH, { n: 'web', p: imagePatch('nginx:1.26') });
    const second = await rolledOut('web', uid, 'nginx:1.26', 4);
    expect(second.metadata.annotations[REVISION]).toBe('2');
    const afterUpdate = await replicaSetsOf(uid);
    expect(afterUpdate).toHaveLength(2);
    const rs2 = afterUpdate.find((rs) => rs.metadata.uid !== rs1.metadata.uid);
    expect(rs2.metadata.annotations[REVISION]).toBe('2');
    expect(afterUpdate.find((rs) => rs.metadata.uid === rs1.metadata.uid).spec.replicas).toBe(0);

    // Rollback: the old template again. Its ReplicaSet (same name and uid) is scaled back up, with the next revision.
    await api.ok(PATCH, { n: 'web', p: imagePatch('nginx:1.25') });
    const third = await rolledOut('web', uid, 'nginx:1.25', 4);
    expect(third.metadata.annotations[REVISION]).toBe('3');
    const afterRollback = await replicaSetsOf(uid);
    expect(afterRollback.map((rs) => rs.metadata.uid).sort()).toEqual([rs1.metadata.uid, rs2.metadata.uid].sort());
    const reused = afterRollback.find((rs) => rs.metadata.uid === rs1.metadata.uid);
    expect(reused.spec.replicas).toBe(4);
    expect(reused.metadata.annotations).toMatchObject({ [REVISION]: '3', 'deployment.kubernetes.io/revision-history': '1' });
    const replicaSetsCreated = (api.db().prepare(`SELECT count(*) AS n FROM events WHERE kind = 'ReplicaSet' AND type = 'ADDED'`).get() as { n: number }).n;
    expect(replicaSetsCreated).toBe(2);

    // From the log: during both rollouts, never fewer than 4 ready pods, never more than 4 + maxSurge live ones.
    const counts = podCounts(uid, rolloutFrom);
    expect(Math.min(...counts.map((c) => c.ready))).toBe(4);
    expect(Math.max(...counts.map((c) => c.live))).toBe(5);
    // The Progressing condition went through ReplicaSetUpdated while rolling.
    const reasons = (api.db().prepare(`SELECT object FROM events WHERE kind = 'Deployment' AND name = 'web' AND revision >= ? ORDER BY revision`).all(rolloutFrom) as any[])
      .map((r) => JSON.parse(r.object).status?.conditions?.find((c: any) => c.type === 'Progressing')?.reason);
    expect(reasons).toContain('ReplicaSetUpdated');
    expect(reasons.at(-1)).toBe('NewReplicaSetAvailable');

    // Rolled out, the controllers write nothing more.
    const writes = () => (api.db().prepare(`SELECT count(*) AS n FROM events WHERE kind IN ('Deployment', 'ReplicaSet')`).get() as { n: number }).n;
    const settled = writes();
    await new Promise((r) => setTimeout(r, 500));
    expect(writes()).toBe(settled);
  });

  it('scales with scaleDeployment and keeps only revisionHistoryLimit old ReplicaSets', async () => {
    const { uid } = (await api.ok(CREATE, { i: deployment('hist', 'nginx:1', { replicas: 2, revisionHistoryLimit: 1 }) })).createDeployment.metadata;
    await rolledOut('hist', uid, 'nginx:1', 2);
    await api.ok(SCALE, { n: 'hist', r: 3 });
    await rolledOut('hist', uid, 'nginx:1', 3);
    for (const image of ['nginx:2', 'nginx:3']) {
      await api.ok(PATCH, { n: 'hist', p: imagePatch(image) });
      await rolledOut('hist', uid, image, 3);
    }
    // Three templates, history limit 1: the oldest (revision 1) is deleted, revision 2 kept at zero.
    const rss = (await eventually(async () => {
      const l = await replicaSetsOf(uid);
      return l.length === 2 ? l : undefined;
    }, 10_000))!;
    const byRevision = Object.fromEntries(rss.map((rs) => [rs.metadata.annotations[REVISION], rs]));
    expect(Object.keys(byRevision).sort()).toEqual(['2', '3']);
    expect(byRevision['2'].spec.replicas).toBe(0);
    expect(byRevision['3'].spec.replicas).toBe(3);
    expect(byRevision['3'].spec.template.spec.containers[0].image).toBe('nginx:3');
  });

  it("manifests as kubectl create --dry-run writes them (template creationTimestamp: null): applying the old one again reuses its ReplicaSet", async () => {
    const manifest = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  creationTimestamp: null
  labels: { app: dry }
  name: dry
spec:
  replicas: 2
  selector: { matchLabels: { app: dry } }
  strategy: {}
  template:
    metadata:
      creationTimestamp: null
      labels: { app: dry }
    spec:
      containers:
      - image: ${image}
        name: app
        resources: {}
status: {}
`;
    const APPLY = `mutation($m: String!) { apply(manifests: $m) { objects { action } } }`;
    await api.ok(APPLY, { m: manifest('nginx:1') });
    const { uid } = (await get('deployment', 'dry')).metadata;
    await rolledOut('dry', uid, 'nginx:1', 2);
    expect((await api.ok(APPLY, { m: manifest('nginx:1') })).apply.objects[0].action).toBe('unchanged');
    await api.ok(APPLY, { m: manifest('nginx:2') });
    await rolledOut('dry', uid, 'nginx:2', 2);
    // Back to the first manifest: the first template again, so its ReplicaSet, not a third one.
    await api.ok(APPLY, { m: manifest('nginx:1') });
    await rolledOut('dry', uid, 'nginx:1', 2);
    expect(await replicaSetsOf(uid)).toHaveLength(2);
  });

  it('Recreate: every old pod is gone before the first new one is created', async () => {
    const { uid } = (await api.ok(CREATE, { i: deployment('rec', 'nginx:1', { replicas: 3, strategy: { type: 'Recreate' } }) })).createDeployment.metadata;
    await rolledOut('rec', uid, 'nginx:1', 3);
    const from = head() + 1;
    await api.ok(PATCH, { n: 'rec', p: imagePatch('nginx:2') });
    await rolledOut('rec', uid, 'nginx:2', 3);
    const rows = api.db().prepare(`SELECT revision, type, object FROM events WHERE kind = 'Pod' AND revision >= ? ORDER BY revision`).all(from) as any[];
    const firstNew = rows.find((r) => r.type === 'ADDED' && JSON.parse(r.object).spec.containers[0].image === 'nginx:2').revision;
    const lastOldGone = Math.max(...rows.filter((r) => r.type === 'DELETED' && JSON.parse(r.object).spec.containers[0].image === 'nginx:1').map((r) => r.revision));
    expect(lastOldGone).toBeLessThan(firstNew);
  });
});
