import { describe, expect, it } from 'vitest';
import type { KObject } from '../../server/resources/kind.js';
import type { Pod } from '../../server/resources/objects.js';
import { runFilters } from '../../server/scheduler/filters/all.js';
import { nodeAffinity } from '../../server/scheduler/filters/node-affinity.js';
import { nodeName } from '../../server/scheduler/filters/node-name.js';
import { nodeReady } from '../../server/scheduler/filters/node-ready.js';
import { nodeUnschedulable } from '../../server/scheduler/filters/node-unschedulable.js';
import { resourceFit } from '../../server/scheduler/filters/resource-fit.js';
import { taintToleration } from '../../server/scheduler/filters/taint-toleration.js';
import { feasibleNodesToFind, findNode } from '../../server/scheduler/find-node.js';
import { fitErrorMessage } from '../../server/scheduler/fit-error.js';
import { NodeInfo } from '../../server/scheduler/node-info.js';
import { podInfo } from '../../server/scheduler/pod-info.js';
import { podRequests } from '../../server/scheduler/resources.js';
import { SchedulerCache } from '../../server/scheduler/scheduler-cache.js';
import { leastAllocated } from '../../server/scheduler/scores/least-allocated.js';
import { ownerSpread } from '../../server/scheduler/scores/owner-spread.js';
import { unschedulableStatus } from '../../server/scheduler/unschedulable-status.js';

let seq = 0;
function node(name: string, o: { labels?: Record<string, string>; cpu?: string; memory?: string; pods?: string; taints?: unknown[]; unschedulable?: boolean; ready?: string } = {}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `n-${name}`, resourceVersion: '1', generation: 1, creationTimestamp: '', labels: o.labels ?? {} },
    spec: { taints: o.taints, unschedulable: o.unschedulable },
    status: {
      allocatable: { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' },
      conditions: o.ready === 'missing' ? [] : [{ type: 'Ready', status: o.ready ?? 'True' }],
    },
  };
}

function pod(spec: Record<string, unknown> = {}, o: { owner?: string; name?: string; requests?: Record<string, string> } = {}): Pod {
  const name = o.name ?? `p${++seq}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `u-${name}`, resourceVersion: '1', generation: 1, creationTimestamp: '', ownerReferences: o.owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: o.owner, controller: true }] : undefined },
    // Fixtures may carry what validation would refuse: the scheduler must read them all the same.
    spec: { containers: [{ name: 'c', image: 'nginx', resources: o.requests ? { requests: o.requests } : undefined }], ...spec } as Pod['spec'],
    status: { phase: 'Pending' },
  };
}

const info = (n: KObject) => {
  const i = new NodeInfo(n.metadata.name);
  i.setNode(n);
  return i;
};

const affinity = (...terms: unknown[]) => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });

describe('requests and allocatable', () => {
  it('sums containers, raises to the largest init container, and parses quantities', () => {
    const p = pod({
      containers: [
        { name: 'a', image: 'x', resources: { requests: { cpu: '250m', memory: '64Mi' } } },
        { name: 'b', image: 'x', resources: { requests: { cpu: '0.5', memory: '1Gi' } } },
      ],
      initContainers: [{ name: 'i', image: 'x', resources: { requests: { cpu: '2', memory: '10Mi' } } }],
    });
    expect(podRequests(p)).toEqual({ milliCpu: 2000, memory: 64 * 2 ** 20 + 2 ** 30, pods: 1 });
    // For scoring, a container that asks nothing counts as 100m and 200Mi.
    expect(podRequests(pod(), true)).toEqual({ milliCpu: 100, memory: 200 * 2 ** 20, pods: 1 });
    expect(info(node('n', { cpu: '3500m', memory: '2Gi', pods: '7' })).allocatable).toEqual({ milliCpu: 3500, memory: 2 ** 31, pods: 7 });
  });
});

describe('filters', () => {
  it('NodeReady: not ready or without conditions fails, unless the pod tolerates the matching taint', () => {
    expect(nodeReady.filter(podInfo(pod()), info(node('n')))).toBeUndefined();
    expect(nodeReady.filter(podInfo(pod()), info(node('n', { ready: 'False' })))).toEqual(['node(s) were not ready']);
    expect(nodeReady.filter(podInfo(pod()), info(node('n', { ready: 'Unknown' })))).toEqual(['node(s) were not ready']);
    expect(nodeReady.filter(podInfo(pod()), info(node('n', { ready: 'missing' })))).toEqual(['node(s) were not ready']);
    const tolerant = pod({ tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }] });
    expect(nodeReady.filter(podInfo(tolerant), info(node('n', { ready: 'Unknown' })))).toBeUndefined();
    expect(nodeReady.filter(podInfo(tolerant), info(node('n', { ready: 'False' })))).toEqual(['node(s) were not ready']);
  });

  it('NodeUnschedulable: a cordoned node refuses pods without the unschedulable toleration', () => {
    const cordoned = info(node('n', { unschedulable: true }));
    expect(nodeUnschedulable.filter(podInfo(pod()), cordoned)).toEqual(['node(s) were unschedulable']);
    expect(nodeUnschedulable.filter(podInfo(pod({ tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] })), cordoned)).toBeUndefined();
    expect(nodeUnschedulable.filter(podInfo(pod()), info(node('n')))).toBeUndefined();
  });

  it('NodeName: a pod that names a node fits only there', () => {
    expect(nodeName.filter(podInfo(pod({ nodeName: 'a' })), info(node('a')))).toBeUndefined();
    expect(nodeName.filter(podInfo(pod({ nodeName: 'a' })), info(node('b')))).toEqual(["node(s) didn't match the requested node name"]);
    expect(nodeName.filter(podInfo(pod()), info(node('b')))).toBeUndefined();
  });

  it('TaintToleration: NoSchedule and NoExecute taints need a toleration (Equal or Exists, effect matching or empty); PreferNoSchedule does not', () => {
    const tainted = info(node('n', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, { key: 'maint', effect: 'NoExecute' }, { key: 'soft', effect: 'PreferNoSchedule' }] }));
    const reason = (tolerations: unknown[]) => taintToleration.filter(podInfo(pod({ tolerations })), tainted);
    expect(reason([])).toEqual(['node(s) had untolerated taint {dedicated: gpu}']);
    expect(reason([{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }])).toEqual(['node(s) had untolerated taint {maint: }']);
    expect(reason([{ key: 'dedicated', value: 'cpu' }, { key: 'maint', operator: 'Exists' }])).toEqual(['node(s) had untolerated taint {dedicated: gpu}']);
    expect(reason([{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, { key: 'maint', operator: 'Exists' }])).toEqual(['node(s) had untolerated taint {dedicated: gpu}']);
    expect(reason([{ key: 'dedicated', operator: 'Equal', value: 'gpu' }, { key: 'maint', operator: 'Exists', effect: 'NoExecute' }])).toBeUndefined();
    expect(reason([{ operator: 'Exists' }])).toBeUndefined();
  });

  it('NodeAffinity: nodeSelector, and terms ORed with expressions ANDed (In, NotIn, Exists, DoesNotExist, Gt, Lt, matchFields)', () => {
    const n = info(node('n1', { labels: { disk: 'ssd', gen: '5', zone: 'a' } }));
    const fits = (spec: Record<string, unknown>) => nodeAffinity.filter(podInfo(pod(spec)), n) === undefined;
    expect(fits({ nodeSelector: { disk: 'ssd' } })).toBe(true);
    expect(fits({ nodeSelector: { disk: 'ssd', zone: 'b' } })).toBe(false);
    expect(fits(affinity({ matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd', 'ssd'] }] }))).toBe(true);
    expect(fits(affinity({ matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] }))).toBe(false);
    expect(fits(affinity({ matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['hdd'] }] }))).toBe(true);
    expect(fits(affinity({ matchExpressions: [{ key: 'missing', operator: 'NotIn', values: ['x'] }] }))).toBe(true);
    expect(fits(affinity({ matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['ssd'] }] }))).toBe(false);
    expect(fits(affinity({ matchExpressions: [{ key: 'gen', operator: 'Exists' }] }))).toBe(true);
    expect(fits(affinity({ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }))).toBe(false);
    expect(fits(affinity({ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }))).toBe(true);
    expect(fits(affinity({ matchExpressions: [{ key: 'disk', operator: 'DoesNotExist' }] }))).toBe(false);
    expect(fits(affinity({ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }))).toBe(true);
    expect(fits(affinity({ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['5'] }] }))).toBe(false);
    expect(fits(affinity({ matchExpressions: [{ key: 'gen', operator: 'Lt', values: ['6'] }] }))).toBe(true);
    expect(fits(affinity({ matchExpressions: [{ key: 'disk', operator: 'Lt', values: ['6'] }] }))).toBe(false); // not an integer
    expect(fits(affinity({ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['1', '2'] }] }))).toBe(false); // needs exactly one value
    // Terms are ORed, expressions within a term ANDed; an empty term matches nothing.
    expect(fits(affinity({ matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }))).toBe(true);
    expect(fits(affinity({ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }, { key: 'zone', operator: 'In', values: ['b'] }] }))).toBe(false);
    expect(fits(affinity({}))).toBe(false);
    expect(fits(affinity())).toBe(false);
    expect(fits(affinity({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }))).toBe(true);
    expect(fits(affinity({ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }] }))).toBe(false);
    expect(nodeAffinity.filter(podInfo(pod({ nodeSelector: { disk: 'hdd' } })), n)).toEqual(["node(s) didn't match Pod's node affinity/selector"]);
  });

  it('NodeResourcesFit: requests against allocatable minus what the node already carries; every shortage is its own reason', () => {
    const n = info(node('n', { cpu: '1', memory: '1Gi', pods: '2' }));
    const big = podInfo(pod({}, { requests: { cpu: '600m', memory: '600Mi' } }));
    expect(resourceFit.filter(big, n)).toBeUndefined();
    n.addPod(podInfo(pod({}, { requests: { cpu: '500m', memory: '500Mi' } })));
    expect(resourceFit.filter(big, n)).toEqual(['Insufficient cpu', 'Insufficient memory']);
    expect(resourceFit.filter(podInfo(pod({}, { requests: { cpu: '500m' } })), n)).toBeUndefined();
    n.addPod(podInfo(pod()));
    expect(resourceFit.filter(podInfo(pod()), n)).toEqual(['Too many pods']);
  });

  it('runs in order and reports the first failing filter per node', () => {
    const n = info(node('n', { ready: 'False', unschedulable: true }));
    expect(runFilters(podInfo(pod({ nodeSelector: { x: 'y' } })), n)).toEqual(['node(s) were not ready']);
  });
});

describe('the unschedulable message', () => {
  it('counts reasons over nodes and sorts them as strings, as kube-scheduler does', () => {
    expect(fitErrorMessage(3, new Map([["node(s) didn't match Pod's node affinity/selector", 2], ['Insufficient cpu', 1]]))).toBe(
      "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector.",
    );
    // sort.Strings: "10 ..." sorts before "2 ...".
    expect(fitErrorMessage(12, new Map([['Insufficient cpu', 2], ['Insufficient memory', 10]]))).toBe('0/12 nodes are available: 10 Insufficient memory, 2 Insufficient cpu.');
    expect(fitErrorMessage(0, new Map())).toBe('no nodes available to schedule pods');
  });

  it('findNode gives every node its reasons, a node short of cpu and memory counting twice', () => {
    const cache = new SchedulerCache();
    cache.setNode(node('a', { cpu: '1', memory: '1Gi', labels: { disk: 'ssd' } }));
    cache.setNode(node('b', { labels: { disk: 'hdd' } }));
    cache.setNode(node('c', { labels: { disk: 'hdd' } }));
    const decision = findNode(podInfo(pod({ nodeSelector: { disk: 'ssd' } }, { requests: { cpu: '2', memory: '2Gi' } })), cache, { nextStart: 0 });
    expect(decision).toEqual({ unschedulable: "0/3 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 2 node(s) didn't match Pod's node affinity/selector." });
  });

  it('writes PodScheduled=False/Unschedulable once: the same message again is no change', () => {
    const p = pod();
    const status = unschedulableStatus(p, 'm1')!;
    expect(status.conditions).toEqual([{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'm1', lastProbeTime: null, lastTransitionTime: expect.any(String) }]);
    expect(unschedulableStatus({ ...p, status }, 'm1')).toBeUndefined();
    expect((unschedulableStatus({ ...p, status }, 'm2')!.conditions as any[])[0].message).toBe('m2');
  });
});

describe('scores and choice', () => {
  it('least allocated prefers the emptier node (requestless pods count with the defaults)', () => {
    const a = info(node('a'));
    const b = info(node('b'));
    a.addPod(podInfo(pod({}, { requests: { cpu: '2', memory: '4Gi' } })));
    const [sa, sb] = leastAllocated.score(podInfo(pod()), [a, b], new SchedulerCache());
    expect(sb).toBeGreaterThan(sa);
    // b: cpu (4000-100)/4000 → 97, memory (8Gi-200Mi)/8Gi → 97
    expect(sb).toBe(97);
  });

  it('spreads pods of one owner over nodes and zones', () => {
    const cache = new SchedulerCache();
    cache.setNode(node('a1', { labels: { 'topology.kubernetes.io/zone': 'a' } }));
    cache.setNode(node('a2', { labels: { 'topology.kubernetes.io/zone': 'a' } }));
    cache.setNode(node('b1', { labels: { 'topology.kubernetes.io/zone': 'b' } }));
    cache.assume(podInfo(pod({}, { owner: 'rs1' })), 'a1');
    const nodes = cache.nodes();
    const scores = ownerSpread.score(podInfo(pod({}, { owner: 'rs1' })), nodes, cache);
    const byName = Object.fromEntries(nodes.map((n, i) => [n.name, scores[i]]));
    // a1 has the owner's pod; a2 shares its zone; b1 has neither.
    expect(byName.b1).toBe(100);
    expect(byName.a2).toBe(33);
    expect(byName.a1).toBe(0);
    // Another owner's pods do not count.
    expect(ownerSpread.score(podInfo(pod({}, { owner: 'rs2' })), nodes, cache)).toEqual([100, 100, 100]);
  });

  it('assumed pods count at once, so consecutive decisions never over-commit, and spread an owner evenly', () => {
    const cache = new SchedulerCache();
    for (const n of ['a', 'b', 'c']) cache.setNode(node(n, { cpu: '1', labels: { 'topology.kubernetes.io/zone': n } }));
    const placed: Record<string, number> = {};
    const state = { nextStart: 0 };
    let unschedulable = 0;
    for (let i = 0; i < 35; i++) {
      const p = podInfo(pod({}, { owner: 'rs', requests: { cpu: '100m' } }));
      const d = findNode(p, cache, state);
      if ('unschedulable' in d) {
        unschedulable++;
        expect(d.unschedulable).toBe('0/3 nodes are available: 3 Insufficient cpu.');
        continue;
      }
      cache.assume(p, d.node);
      placed[d.node] = (placed[d.node] ?? 0) + 1;
    }
    expect(placed).toEqual({ a: 10, b: 10, c: 10 });
    expect(unschedulable).toBe(5);
    // Spreading keeps them even all along: after 3 pods, one per node.
    const fresh = new SchedulerCache();
    for (const n of ['a', 'b', 'c']) fresh.setNode(node(n, { labels: { 'topology.kubernetes.io/zone': n } }));
    const first3 = [0, 1, 2].map(() => {
      const p = podInfo(pod({}, { owner: 'rs' }));
      const d = findNode(p, fresh, state) as { node: string };
      fresh.assume(p, d.node);
      return d.node;
    });
    expect(first3.sort()).toEqual(['a', 'b', 'c']);
  });

  it('a forgotten assumption frees its room; a confirmed one stays; an unconfirmed one expires', () => {
    const cache = new SchedulerCache(1000);
    cache.setNode(node('a', { cpu: '1' }));
    const p = podInfo(pod({}, { requests: { cpu: '1' } }));
    cache.assume(p, 'a');
    expect(cache.node('a')!.requested.milliCpu).toBe(1000);
    cache.forget(p.key);
    expect(cache.node('a')!.requested.milliCpu).toBe(0);
    cache.assume(p, 'a');
    cache.finishBinding(p.key, 0);
    cache.cleanupExpired(500);
    expect(cache.isPlaced(p.key)).toBe(true);
    cache.cleanupExpired(1000);
    expect(cache.isPlaced(p.key)).toBe(false);
    cache.assume(p, 'a');
    cache.finishBinding(p.key, 0);
    cache.addBoundPod({ ...p, nodeName: 'a' });
    cache.cleanupExpired(5000);
    expect(cache.isConfirmed(p.key)).toBe(true);
  });

  it('searches only enough nodes in a large cluster, as percentageOfNodesToScore', () => {
    expect(feasibleNodesToFind(50)).toBe(50);
    expect(feasibleNodesToFind(1000)).toBe(420);
    expect(feasibleNodesToFind(5000)).toBe(500);
    expect(feasibleNodesToFind(150)).toBe(100);
    expect(feasibleNodesToFind(1000, 100)).toBe(1000);
  });
});
