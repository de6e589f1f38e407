import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespace, manifest, setPodStatus, startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { eventually } from '../support/processes.js';

// Generous enough that a loaded CI machine delivering heartbeats late does not mark a healthy node unreachable.
const GRACE_MS = 2500;
const EVICTION_MS = 3000;

let cp: ControlPlane;
const heartbeats = new Map<string, NodeJS.Timeout>();
beforeAll(async () => {
  cp = await startControlPlane(['--node-monitor-grace-period-ms', String(GRACE_MS), '--pod-eviction-timeout-ms', String(EVICTION_MS)]);
  await createNamespace(cp.api, NS);
});
afterAll(async () => {
  for (const timer of heartbeats.values()) clearInterval(timer);
  await cp?.close();
});

const NS = 'work';
const node = (name: string) => manifest(cp.api, 'node', undefined, name);
const pod = (name: string) => manifest(cp.api, 'pod', NS, name);
const readyOf = (n: any) => n?.status?.conditions?.find((c: any) => c.type === 'Ready');
const unreachable = (n: any) => (n?.spec?.taints ?? []).find((t: any) => t.key === 'node.kubernetes.io/unreachable');

/** Plays the node agent: the node reports Ready (and a memory-pressure condition the controller must keep). */
async function reportReady(name: string): Promise<void> {
  const now = new Date().toISOString();
  await cp.api.ok(`mutation($n: String!, $s: JSON!) { updateNodeStatus(name: $n, status: $s) { metadata { name } } }`, {
    n: name,
    s: {
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', lastHeartbeatTime: now, lastTransitionTime: now },
        { type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now, lastTransitionTime: now },
      ],
    },
  });
}

const renew = (name: string) =>
  cp.api.ok(`mutation($n: String!, $p: JSON!) { patchLease(namespace: "kube-node-lease", name: $n, patch: $p) { metadata { name } } }`, { n: name, p: { spec: { renewTime: new Date().toISOString() } } });

/** The last renewal of several nodes in one request (one transaction): the controller sees them go silent together. */
async function lastRenewals(names: string[]): Promise<void> {
  for (const n of names) clearInterval(heartbeats.get(n));
  const now = new Date().toISOString();
  const fields = names.map((n, i) => `r${i}: patchLease(namespace: "kube-node-lease", name: ${JSON.stringify(n)}, patch: { spec: { renewTime: ${JSON.stringify(now)} } }) { metadata { name } }`);
  await cp.api.ok(`mutation {\n${fields.join('\n')}\n}`);
}

/** Registers a node as its agent does (Node, status, Lease) and renews the Lease every 200 ms. */
async function joinNode(name: string, zone?: string): Promise<void> {
  await cp.api.ok(`mutation($n: String!, $l: JSON) { createNode(input: { metadata: { name: $n, labels: $l } }) { metadata { name } } }`, { n: name, l: zone ? { 'topology.kubernetes.io/zone': zone } : null });
  await reportReady(name);
  await cp.api.ok(`mutation($i: LeaseInput!) { createLease(input: $i) { metadata { name } } }`, {
    i: { metadata: { name, namespace: 'kube-node-lease' }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new Date().toISOString() } },
  });
  heartbeats.set(name, setInterval(() => void renew(name).catch(() => {}), 200));
}

async function podOn(nodeName: string, name: string, tolerations?: unknown[]): Promise<void> {
  await cp.api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, {
    i: { metadata: { name, namespace: NS }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }], ...(tolerations ? { tolerations } : {}) } },
  });
  await cp.api.ok(`mutation($n: String!, $node: String!) { bindPod(namespace: "work", name: $n, nodeName: $node) { metadata { name } } }`, { n: name, node: nodeName });
  await setPodStatus(cp.api, NS, name, { ip: `10.${128 + nodeName.charCodeAt(0) % 64}.${nodeName.charCodeAt(1) % 200}.${Math.floor(Math.random() * 200) + 2}`, ready: true });
}

describe('node lifecycle controller', () => {
  it('a node whose Lease stops being renewed goes Ready=Unknown with the unreachable taint; its pods are evicted after the timeout; renewing brings it back', async () => {
    await joinNode('n1');
    await joinNode('n2');
    await podOn('n1', 'evicted');
    await podOn('n1', 'tolerant', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }]);
    await podOn('n2', 'elsewhere');
    expect(readyOf(await node('n1')).status).toBe('True');
    const n2Joined = (await node('n2')).metadata.resourceVersion;

    clearInterval(heartbeats.get('n1'));
    const stoppedAt = Date.now();
    const down = await eventually(async () => {
      const n = await node('n1');
      return readyOf(n)?.status === 'Unknown' && unreachable(n) ? n : undefined;
    }, 10_000);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(GRACE_MS - 300); // the last renewal may have landed up to one period before
    expect(readyOf(down)).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });
    expect(down.status.conditions.find((c: any) => c.type === 'MemoryPressure')).toMatchObject({ status: 'False' }); // other conditions kept
    expect(down.status.capacity).toEqual({ cpu: '4', memory: '8Gi', pods: '110' });
    expect(unreachable(down)).toMatchObject({ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' });
    expect(Date.parse(unreachable(down).timeAdded)).toBeGreaterThan(stoppedAt - 2000);
    // Not evicted yet (the timeout runs from the taint), but no longer ready.
    const waiting = await eventually(async () => {
      const p = await pod('evicted');
      return readyOf(p)?.status === 'False' ? p : undefined;
    });
    expect(waiting.metadata.deletionTimestamp).toBeUndefined();

    await eventually(async () => (await pod('evicted')) === null, 10_000);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(GRACE_MS + EVICTION_MS - 1500); // timeAdded has whole seconds
    const last = cp.api.db().prepare(`SELECT verb, type FROM events WHERE kind = 'Pod' AND name = 'evicted' ORDER BY revision DESC LIMIT 1`).get() as { verb: string; type: string };
    expect(last).toEqual({ verb: 'delete', type: 'DELETED' }); // grace 0: removed at once, no node agent needed
    expect(await pod('tolerant')).not.toBeNull(); // tolerates the taint without a time limit
    // The other node, renewing throughout, longer than grace period and eviction timeout together,
    // was never written to (not only Ready and untainted at this moment).
    const n2 = await node('n2');
    expect(readyOf(n2).status).toBe('True');
    expect(unreachable(n2)).toBeUndefined();
    expect(n2.metadata.resourceVersion).toBe(n2Joined);
    expect((await pod('elsewhere')).metadata.deletionTimestamp).toBeUndefined();

    // The agent comes back: renews its Lease and reports Ready; the taint goes.
    await renew('n1');
    await reportReady('n1');
    heartbeats.set('n1', setInterval(() => void renew('n1').catch(() => {}), 200));
    const back = await eventually(async () => {
      const n = await node('n1');
      return !unreachable(n) ? n : undefined;
    }, 10_000);
    expect(readyOf(back).status).toBe('True');
    await new Promise((r) => setTimeout(r, GRACE_MS * 1.2));
    expect(readyOf(await node('n1')).status).toBe('True');
    expect(await pod('tolerant')).not.toBeNull();
  });

  // Kubernetes' zone rules: 3 of a zone's 4 nodes silent is PartialDisruption (more than 2, at least 55%),
  // and a zone of at most 50 nodes in partial disruption taints nothing: no pod is evicted.
  it('most of a zone going silent at once stops evictions in that zone (partial disruption of a small zone)', async () => {
    for (const n of ['a0', 'a1', 'a2', 'a3']) await joinNode(n, 'zone-a');
    for (const n of ['b0', 'b1']) await joinNode(n, 'zone-b');
    for (const n of ['a0', 'a1', 'a2', 'a3', 'b0']) await podOn(n, `p-${n}`);
    await lastRenewals(['a0', 'a1', 'a2']);
    // All three are found silent: Ready=Unknown, their pods no longer ready.
    await eventually(async () => {
      const all = await Promise.all(['a0', 'a1', 'a2'].map(node));
      return all.every((n) => readyOf(n)?.status === 'Unknown');
    }, 15_000);
    for (const n of ['a0', 'a1', 'a2']) await eventually(async () => readyOf(await pod(`p-${n}`))?.status === 'False');
    // Longer than an eviction would take (grace + timeout, with a margin): no taint, no pod gone.
    await new Promise((r) => setTimeout(r, EVICTION_MS + 3000));
    for (const n of ['a0', 'a1', 'a2']) {
      expect(unreachable(await node(n))).toBeUndefined();
      expect((await pod(`p-${n}`))?.metadata.deletionTimestamp).toBeUndefined();
    }
    expect(readyOf(await node('a3')).status).toBe('True');
    expect(await pod('p-a3')).not.toBeNull();
    const deletes = cp.api.db().prepare(`SELECT count(*) AS n FROM events WHERE kind = 'Pod' AND name LIKE 'p-%' AND verb = 'delete'`).get() as { n: number };
    expect(deletes.n).toBe(0);
  }, 60_000);

  it('when every zone is fully disrupted (the controller is likelier cut off than every node), nothing is tainted or evicted', async () => {
    const renewing = [...heartbeats.keys()].filter((n) => !['a0', 'a1', 'a2'].includes(n));
    await lastRenewals(renewing);
    await eventually(async () => (await Promise.all(renewing.map(node))).every((n) => readyOf(n)?.status === 'Unknown'), 15_000);
    await new Promise((r) => setTimeout(r, EVICTION_MS + 3000));
    for (const n of [...heartbeats.keys()]) expect(unreachable(await node(n))).toBeUndefined();
    for (const p of ['p-a0', 'p-a1', 'p-a2', 'p-a3', 'p-b0', 'elsewhere']) expect((await pod(p))?.metadata.deletionTimestamp).toBeUndefined();
  }, 60_000);
});
