import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { eventually, startComponent, stopAllComponents, type Component } from '../support/processes.js';
import { startSlowWatchProxy } from '../support/slow-watch-proxy.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ watch: { bookmarkIntervalMs: 200 } });
});
afterEach(() => stopAllComponents());
afterAll(() => api?.close());

const NS = 'default';
const CREATE_RS = `mutation($i: ReplicaSetInput!) { createReplicaSet(input: $i) { metadata { uid } } }`;
const SCALE = `mutation($n: String!, $r: Int!) { scaleReplicaSet(namespace: "default", name: $n, replicas: $r) { metadata { generation } } }`;
const RS_STATE = `query($n: String!) { replicaSet(namespace: "default", name: $n) { metadata { generation } manifest } }`;

const replicaSet = (name: string, replicas: number) => ({
  metadata: { name, namespace: NS },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name, tier: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } },
  },
});

const controllerManager = (env: Record<string, string> = {}, server = api.server.url): Component =>
  startComponent('controllers/main.ts', ['--server', server], { LOG_LEVEL: 'debug', ...env });

interface Row {
  revision: number;
  type: string;
  kind: string;
  name: string;
  uid: string;
  object: string;
}

/** The log replayed: at each revision, the desired count and the live pods (not being deleted) the ReplicaSet controls. */
function liveCounts(rsUid: string): Array<{ revision: number; desired: number; live: number; created: number }> {
  const rows = api.db().prepare(`SELECT revision, type, kind, name, uid, object FROM events WHERE kind IN ('Pod', 'ReplicaSet') AND namespace = ? ORDER BY revision`).all(NS) as Row[];
  const live = new Set<string>();
  let desired = 0;
  let created = 0;
  const out = [];
  for (const row of rows) {
    const o = JSON.parse(row.object);
    if (row.kind === 'ReplicaSet') {
      if (row.uid === rsUid) desired = o.spec.replicas;
    } else if (o.metadata.ownerReferences?.some((r: { uid: string; controller?: boolean }) => r.uid === rsUid && r.controller)) {
      if (row.type === 'ADDED') created++;
      if (row.type === 'DELETED' || o.metadata.deletionTimestamp) live.delete(row.uid);
      else live.add(row.uid);
    } else live.delete(row.uid);
    out.push({ revision: row.revision, desired, live: live.size, created });
  }
  return out;
}

/** Pods the ReplicaSet controls now (from the API). */
async function ownedPods(rsUid: string): Promise<any[]> {
  const data = await api.ok(`{ pods(namespace: "default", first: 200) { edges { node { manifest } } } }`);
  return data.pods.edges.map((e: any) => e.node.manifest).filter((p: any) => p.metadata.ownerReferences?.some((r: any) => r.uid === rsUid));
}

async function rsConverged(name: string, replicas: number) {
  const { replicaSet: rs } = await api.ok(RS_STATE, { n: name });
  const s = rs.manifest.status;
  return s.replicas === replicas && s.observedGeneration === rs.metadata.generation ? rs.manifest : undefined;
}

describe('replicaset controller', () => {
  it('scales 0 → 50 → 5 through a kill -9 mid-scale without ever exceeding the desired count', async () => {
    const { uid } = (await api.ok(CREATE_RS, { i: replicaSet('web', 0) })).createReplicaSet.metadata;
    // Five creates per round, each round a round trip answered 200 ms late: a scale to 50 takes
    // ten rounds of at least 200 ms, so the kill lands mid-scale however loaded the machine
    // (without the delay, all 50 could land between two polls).
    const env = { KUBEQL_REPLICASET_BURST: '5' };
    const proxy = await startSlowWatchProxy(api.server.url, 200, { answers: true });
    onTestFinished(() => proxy.close());
    let cm = controllerManager(env, proxy.url);
    await eventually(() => rsConverged('web', 0), 20_000, () => cm.output());

    await api.ok(SCALE, { n: 'web', r: 50 });
    const createdSoFar = () => (api.db().prepare(`SELECT count(*) AS n FROM events WHERE kind = 'Pod' AND type = 'ADDED'`).get() as { n: number }).n;
    await eventually(() => createdSoFar() >= 8, 10_000);
    cm.kill();
    await new Promise((r) => setTimeout(r, 100));
    const atKill = createdSoFar();
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(50);

    cm = controllerManager(env, proxy.url);
    const full = await eventually(() => rsConverged('web', 50), 30_000, () => cm.output());
    expect(full.status.fullyLabeledReplicas).toBe(50);
    expect(await ownedPods(uid)).toHaveLength(50);

    await api.ok(SCALE, { n: 'web', r: 5 });
    await eventually(() => rsConverged('web', 5), 20_000, () => cm.output());
    // Converged, it writes nothing more (status only when it changes).
    const rsEvents = () => (api.db().prepare(`SELECT count(*) AS n FROM events WHERE kind = 'ReplicaSet' AND name = 'web'`).get() as { n: number }).n;
    const settled = rsEvents();
    await new Promise((r) => setTimeout(r, 500));
    expect(rsEvents()).toBe(settled);
    const pods = await ownedPods(uid);
    expect(pods).toHaveLength(5);
    const pod = pods[0];
    expect(pod.metadata.generateName).toBe('web-');
    expect(pod.metadata.labels).toEqual({ app: 'web', tier: 'web' });
    expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid, controller: true, blockOwnerDeletion: true }]);

    // The audit trail: never more live pods than desired on the way up; never above 5 once at 5.
    const counts = liveCounts(uid);
    const upTo50 = counts.filter((c) => c.desired === 50);
    expect(Math.max(...upTo50.map((c) => c.live))).toBe(50);
    const reached5 = counts.findIndex((c) => c.desired === 5 && c.live === 5);
    expect(reached5).toBeGreaterThan(0);
    expect(Math.max(...counts.slice(reached5).map((c) => c.live))).toBe(5);
    // Not one pod was created beyond the 50: the restarted controller made exactly the missing ones.
    expect(counts.at(-1)!.created).toBe(50);
    // Each create carried its own requestId, derived from the ReplicaSet (uid, version, salt, ordinal).
    const ids = (api.db().prepare(`SELECT request_id AS id FROM events WHERE kind = 'Pod' AND type = 'ADDED'`).all() as Array<{ id: string }>).map((r) => r.id);
    expect(new Set(ids).size).toBe(50);
    for (const id of ids) expect(id).toMatch(new RegExp(`^replicaset/${uid}/\\d+/\\d+/\\d+$`));
    // A guard against a hang, above the sum of its waits (each has its own deadline): 7 s alone on a
    // loaded machine, past the default 30 s with another test file beside it.
  }, 120_000);

  it('a watch 300 ms behind the writes never causes a second round: each create counts from its answer until the informer observes it', async () => {
    const proxy = await startSlowWatchProxy(api.server.url, 300);
    try {
      const { uid } = (await api.ok(CREATE_RS, { i: replicaSet('lagging', 0) })).createReplicaSet.metadata;
      const cm = controllerManager({}, proxy.url);
      await eventually(() => rsConverged('lagging', 0), 20_000, () => cm.output());
      await api.ok(SCALE, { n: 'lagging', r: 20 });
      await eventually(() => rsConverged('lagging', 20), 20_000, () => cm.output());
      await new Promise((r) => setTimeout(r, 800)); // the lagging events have all arrived; nothing more happens
      const counts = liveCounts(uid);
      expect(Math.max(...counts.map((c) => c.live))).toBe(20);
      expect(counts.at(-1)!.created).toBe(20);
      expect(await ownedPods(uid)).toHaveLength(20);
    } finally {
      await stopAllComponents();
      await proxy.close();
    }
  });

  it('goes on creating while its watch delivers nothing: the pods its creates were answered with count, and it never makes more than desired', async () => {
    const proxy = await startSlowWatchProxy(api.server.url, 0);
    try {
      const { uid } = (await api.ok(CREATE_RS, { i: replicaSet('held', 0) })).createReplicaSet.metadata;
      // Five creates per round: 20 pods take four rounds, all but the first with the watch held.
      const cm = controllerManager({ KUBEQL_REPLICASET_BURST: '5' }, proxy.url);
      await eventually(() => rsConverged('held', 0), 20_000, () => cm.output());
      const made = () => liveCounts(uid).at(-1)?.created ?? 0;
      await api.ok(SCALE, { n: 'held', r: 20 });
      await eventually(() => made() >= 1, 20_000, () => cm.output());
      proxy.hold();
      // Its informer observes none of these creates; waiting on it would stop here.
      await eventually(() => made() === 20, 20_000, () => cm.output());
      // The status counts them from the answers too, written without the watch.
      const replicas = async () => (await api.ok(RS_STATE, { n: 'held' })).replicaSet.manifest.status.replicas;
      await eventually(async () => (await replicas()) === 20, 20_000, () => cm.output());
      await new Promise((r) => setTimeout(r, 500));
      expect(made()).toBe(20);
      proxy.release();
      await eventually(() => rsConverged('held', 20), 20_000, () => cm.output());
      await new Promise((r) => setTimeout(r, 500)); // the held events have been observed; nothing more happens
      const counts = liveCounts(uid);
      expect(Math.max(...counts.map((c) => c.live))).toBe(20);
      expect(counts.at(-1)!.created).toBe(20);
      const ids = (api.db().prepare(`SELECT request_id AS id FROM events WHERE kind = 'Pod' AND type = 'ADDED' AND request_id LIKE ?`).all(`replicaset/${uid}/%`) as Array<{ id: string }>).map((r) => r.id);
      expect(new Set(ids).size).toBe(20);
    } finally {
      await stopAllComponents();
      await proxy.close();
    }
  });

  it('resumes from its last revision after the API server restarts, without relisting', async () => {
    const { uid } = (await api.ok(CREATE_RS, { i: replicaSet('resume', 3) })).createReplicaSet.metadata;
    const cm = controllerManager();
    await eventually(() => rsConverged('resume', 3), 20_000, () => cm.output());
    // The informers' debug lines (JSON logs): `informer Pod listed at revision 7`.
    const listed = (text: string) => [...text.matchAll(/"msg":"informer (.+?) listed at revision \d+"/g)].map((m) => m[1]);
    const before = cm.output();
    const informers = listed(before);
    expect(informers).toContain('Pod');
    expect(informers).toContain('ReplicaSet');
    expect(new Set(informers).size).toBe(informers.length); // each informer listed once

    await api.restart(); // every socket drops; the server comes back on the same port
    await api.ok(SCALE, { n: 'resume', r: 6 });
    await eventually(() => rsConverged('resume', 6), 20_000, () => cm.output());
    expect(await ownedPods(uid)).toHaveLength(6);
    expect(liveCounts(uid).at(-1)!.created).toBe(6);
    // It resumed its watches from where they were: no informer listed again.
    expect(listed(cm.output().slice(before.length))).toEqual([]);
    expect(cm.child.exitCode).toBeNull();
  });

  it('adopts matching orphans and releases owned pods that stop matching', async () => {
    const orphan = (await api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { resourceVersion } } }`, {
      i: { metadata: { name: 'stray', namespace: NS, labels: { app: 'adopt' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } },
    })).createPod;
    const { uid } = (await api.ok(CREATE_RS, { i: replicaSet('adopt', 2) })).createReplicaSet.metadata;
    const cm = controllerManager();
    await eventually(() => rsConverged('adopt', 2), 20_000, () => cm.output());
    const owned = await ownedPods(uid);
    expect(owned).toHaveLength(2);
    const stray = owned.find((p) => p.metadata.name === 'stray');
    expect(stray.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'adopt', uid, controller: true, blockOwnerDeletion: true }]);
    // The adoption was a patch conditional on the pod's version.
    const adoption = api.db().prepare(`SELECT verb, prev_revision FROM events WHERE kind = 'Pod' AND name = 'stray' ORDER BY revision DESC LIMIT 1`).get() as any;
    expect(adoption).toEqual({ verb: 'patch', prev_revision: Number(orphan.metadata.resourceVersion) });

    await api.ok(`mutation { patchPod(namespace: "default", name: "stray", patch: { metadata: { labels: { app: "elsewhere" } } }) { metadata { name } } }`);
    await eventually(async () => (await ownedPods(uid)).filter((p) => p.metadata.name !== 'stray').length === 2, 20_000, () => cm.output());
    const released = (await api.ok(`{ pod(namespace: "default", name: "stray") { manifest } }`)).pod.manifest;
    expect(released.metadata.ownerReferences).toBeUndefined();
    await eventually(() => rsConverged('adopt', 2), 20_000, () => cm.output());
  });
});

describe('a create the server refuses', () => {
  it('is reported as ReplicaFailure (FailedCreate) beside the pods made, written once while it keeps failing, and cleared once the rest can be made', async () => {
    const ns = 'capped';
    await api.ok(`mutation { createNamespace(input: { metadata: { name: "${ns}" } }) { metadata { name } } }`);
    await api.ok(`mutation($i: ResourceQuotaInput!) { createResourceQuota(input: $i) { metadata { name } } }`, { i: { metadata: { name: 'three', namespace: ns }, spec: { hard: { pods: '3' } } } });
    const rs = replicaSet('capped', 5);
    await api.ok(CREATE_RS, { i: { ...rs, metadata: { ...rs.metadata, namespace: ns } } });
    const cm = controllerManager();
    const status = async () => (await api.ok(`{ replicaSet(namespace: "${ns}", name: "capped") { manifest } }`)).replicaSet.manifest.status;
    const podsMade = () => (api.db().prepare(`SELECT count(*) AS n FROM events WHERE kind = 'Pod' AND type = 'ADDED' AND namespace = ?`).get(ns) as { n: number }).n;
    const rsWrites = () => (api.db().prepare(`SELECT count(*) AS n FROM events WHERE kind = 'ReplicaSet' AND namespace = ?`).get(ns) as { n: number }).n;

    const failed = await eventually(async () => {
      const s = await status();
      return s?.replicas === 3 && s.conditions?.some((c: { type: string }) => c.type === 'ReplicaFailure') ? s : undefined;
    }, 20_000, () => cm.output());
    expect(failed.conditions).toEqual([{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', lastTransitionTime: expect.any(String), message: expect.stringContaining('exceeded quota') }]);
    expect(podsMade()).toBe(3);
    // Retried with backoff, it fails the same way: the status it would write is the one it wrote.
    const writes = rsWrites();
    await new Promise((r) => setTimeout(r, 1000));
    expect(rsWrites()).toBe(writes);
    expect(await status()).toEqual(failed);
    expect(cm.output()).toMatch(/"code":"QUOTA_EXCEEDED".*a create was refused: retrying with backoff, the slow start from 1/);

    await api.ok(`mutation { deleteResourceQuota(namespace: "${ns}", name: "three") { metadata { name } } }`);
    const healed = await eventually(async () => {
      const s = await status();
      return s?.replicas === 5 && !s.conditions ? s : undefined;
    }, 30_000, () => cm.output());
    expect(healed.replicas).toBe(5);
    expect(podsMade()).toBe(5);
  }, 60_000);
});

describe('minReadySeconds', () => {
  it('a pod ready for less than minReadySeconds is not yet available; the controller looks again when it will be, with no other change to wake it', async () => {
    const rs = replicaSet('slow', 2);
    const { uid } = (await api.ok(CREATE_RS, { i: { ...rs, spec: { ...rs.spec, minReadySeconds: 2 } } })).createReplicaSet.metadata;
    const cm = controllerManager();
    const pods = (await eventually(async () => {
      const owned = await ownedPods(uid);
      return owned.length === 2 ? owned : undefined;
    }, 20_000, () => cm.output()))!;

    // Playing the node agent: one pod turns Running and Ready now; the other stays Pending, so not every replica is ready.
    const readySince = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const ready = { phase: 'Running', podIP: '10.128.0.9', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: readySince }] };
    await api.ok(`mutation($n: String!, $s: JSON!) { updatePodStatus(namespace: "default", name: $n, status: $s) { metadata { name } } }`, { n: pods[0].metadata.name, s: ready });

    const status = async () => (await api.ok(RS_STATE, { n: 'slow' })).replicaSet.manifest.status;
    await eventually(async () => ((await status()).readyReplicas === 1 ? true : undefined), 15_000, () => cm.output());
    // Nothing else changes from here on: only the controller's own look-again can make the pod count as available.
    const available = await eventually(async () => ((await status()).availableReplicas === 1 ? true : undefined), 15_000, () => cm.output());
    expect(available).toBe(true);
    const rows = api.db().prepare(`SELECT ts, object FROM events WHERE kind = 'ReplicaSet' AND name = 'slow' ORDER BY revision`).all() as Array<{ ts: number; object: string }>;
    const first = rows.find((r) => JSON.parse(r.object).status?.availableReplicas === 1)!;
    // Never before the pod had been ready for minReadySeconds.
    expect(first.ts).toBeGreaterThanOrEqual(Date.parse(readySince) + 2000);
    expect((await status()).readyReplicas).toBe(1);
  }, 60_000);
});
