import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kindByName } from '../../server/resources/registry.js';
import { CREATE_POD, POD, startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
beforeAll(async () => {
  // The cost limit prices unpaged relations at their worst case (110 pods per node); these tests
  // count statements over whole lists of relations, so they run with room above it.
  api = await startTestApi({ countStatements: true, limits: { cost: 200_000 } });
});
afterAll(() => api.close());

const CONTAINERS = [{ name: 'app', image: 'nginx:1.25' }];

async function createNamespace(name: string) {
  await api.ok(`mutation($n: String!) { createNamespace(input: { metadata: { name: $n } }) { metadata { name } } }`, { n: name });
}

async function createNode(name: string, labels: Record<string, string> = {}) {
  return (await api.ok(`mutation($i: NodeInput!) { createNode(input: $i) { metadata { uid resourceVersion } } }`, { i: { metadata: { name, labels } } })).createNode.metadata;
}

async function createPod(name: string, options: { namespace?: string; nodeName?: string; labels?: Record<string, string>; ownerReferences?: unknown[] } = {}) {
  const input = {
    metadata: { name, namespace: options.namespace, labels: options.labels, ownerReferences: options.ownerReferences },
    spec: { containers: CONTAINERS, ...(options.nodeName ? { nodeName: options.nodeName } : {}) },
  };
  return (await api.ok(CREATE_POD, { i: input })).createPod.metadata;
}

/** Creates `count` pods in `namespace`, pod i on node `nodes[i % nodes.length]`, a batch of requests at a time. */
async function createPods(namespace: string, count: number, nodes: string[]) {
  for (let start = 0; start < count; start += 50) {
    const batch = Array.from({ length: Math.min(50, count - start) }, (_, j) => start + j);
    await Promise.all(batch.map((i) => createPod(`p${String(i).padStart(3, '0')}`, { namespace, nodeName: nodes[i % nodes.length] })));
  }
}

/** Runs one request and returns its data with the number of SQL statements the server ran for it. */
async function counted(query: string, variables?: Record<string, unknown>) {
  const before = api.server.store.statementCount();
  const data = await api.ok(query, variables);
  return { data, statements: api.server.store.statementCount() - before };
}

const controllerRef = (kind: string, name: string, uid: string, controller = true) => ({ apiVersion: kind === 'ReplicaSet' || kind === 'Deployment' ? 'apps/v1' : 'v1', kind, name, uid, controller });

const names = (objects: Array<{ metadata: { name: string } }>) => objects.map((o) => o.metadata.name);

describe('Pod.node, batched', () => {
  const LIST = `query($ns: String!) { pods(namespace: $ns, first: 500) { edges { node { metadata { name } spec { nodeName } node { metadata { name } } } } } }`;

  it('resolves the node of 500 listed pods in a bounded number of statements, the same for 50 pods as for 500', async () => {
    const nodes = ['batch-0', 'batch-1', 'batch-2', 'batch-3', 'batch-4'];
    // The 50 pods each have a node of their own, so not even a per-node cache makes their count small.
    const smallNodes = Array.from({ length: 50 }, (_, i) => `small-${i}`);
    for (const n of [...nodes, ...smallNodes]) await createNode(n);
    await createNamespace('big');
    await createNamespace('small');
    await createPods('big', 500, nodes);
    await createPods('small', 50, smallNodes);

    const big = await counted(LIST, { ns: 'big' });
    const small = await counted(LIST, { ns: 'small' });
    console.log(`pods(first: 500) with node: ${big.statements} SQL statements for 500 pods, ${small.statements} for 50`);

    const edges = big.data.pods.edges;
    expect(edges).toHaveLength(500);
    for (const { node: pod } of edges) {
      const i = Number(pod.metadata.name.slice(1));
      expect(pod.node.metadata.name).toBe(nodes[i % 5]);
      expect(pod.node.metadata.name).toBe(pod.spec.nodeName);
    }
    expect(small.data.pods.edges.map((e: any) => e.node.node.metadata.name)).toEqual(smallNodes);
    // The list is one statement and the nodes one more: not 1 + 500.
    expect(big.statements).toBeGreaterThanOrEqual(2);
    expect(big.statements).toBeLessThanOrEqual(5);
    expect(big.statements).toBe(small.statements);

    // Node.pods: each node's pods, in one statement for all 55 nodes.
    const byNode = await counted(`{ nodes { edges { node { metadata { name } pods { metadata { name namespace } spec { nodeName } } } } } }`);
    const pods = new Map<string, any[]>(byNode.data.nodes.edges.map((e: any) => [e.node.metadata.name, e.node.pods]));
    for (const n of nodes) {
      expect(pods.get(n)).toHaveLength(100);
      expect(pods.get(n)!.every((p) => p.spec.nodeName === n && p.metadata.namespace === 'big')).toBe(true);
    }
    for (const [i, n] of smallNodes.entries()) expect(pods.get(n)!.map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual([`small/p${String(i).padStart(3, '0')}`]);
    expect(byNode.statements).toBeLessThanOrEqual(5);
  });

  it('is null for an unscheduled pod and for a pod bound to a node that does not exist', async () => {
    await createPod('unscheduled');
    await createPod('ghost-bound', { nodeName: 'no-such-node' });
    const res = await api.ok(`{ a: pod(namespace: "default", name: "unscheduled") { node { metadata { name } } } b: pod(namespace: "default", name: "ghost-bound") { node { metadata { name } } } }`);
    expect(res.a.node).toBeNull();
    expect(res.b.node).toBeNull();
  });
});

describe('relations read at the revision of the enclosing read', () => {
  it('a pod read atRevision N resolves its node as it was at N, even after the node changed or was deleted', async () => {
    await createNode('tt-node', { v: '1' });
    await createPod('tt-pod', { nodeName: 'tt-node' });
    const n = (await api.ok('{ revision }')).revision as number;
    await api.ok(`mutation { patchNode(name: "tt-node", patch: { metadata: { labels: { v: "2" } } }) { metadata { name } } }`);
    await createNamespace('tt-other');
    await createPod('tt-later', { namespace: 'tt-other', nodeName: 'tt-node' });

    const AT = `query($r: Revision) { pod(namespace: "default", name: "tt-pod", atRevision: $r) { node { metadata { labels } pods { metadata { name namespace } } } } }`;
    const then = await api.ok(AT, { r: n });
    expect(then.pod.node.metadata.labels).toEqual({ v: '1' });
    // Relations of relations stay at N: tt-later did not exist yet.
    expect(names(then.pod.node.pods)).toEqual(['tt-pod']);
    const now = await api.ok(AT, {});
    expect(now.pod.node.metadata.labels).toEqual({ v: '2' });
    // Node.pods spans namespaces.
    expect(now.pod.node.pods.map((p: any) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['default/tt-pod', 'tt-other/tt-later']);

    // A list at N resolves at N too.
    const listed = await api.ok(`query($r: Revision) { pods(fieldSelector: "metadata.name=tt-pod", atRevision: $r) { revision edges { node { node { metadata { labels } } } } } }`, { r: n });
    expect(listed.pods.revision).toBe(n);
    expect(listed.pods.edges[0].node.node.metadata.labels).toEqual({ v: '1' });

    // A mutation's result resolves at the head after it.
    const patched = await api.ok(`mutation { patchPod(namespace: "default", name: "tt-pod", patch: { metadata: { labels: { x: "y" } } }) { node { metadata { labels } } } }`);
    expect(patched.patchPod.node.metadata.labels).toEqual({ v: '2' });

    await api.ok(`mutation { deletePod(namespace: "tt-other", name: "tt-later", gracePeriodSeconds: 0) { metadata { name } } }`);
    await api.ok(`mutation { deleteNode(name: "tt-node") { metadata { name } } }`);
    expect((await api.ok(AT, {})).pod.node).toBeNull();
    const afterDelete = await api.ok(AT, { r: n });
    expect(afterDelete.pod.node.metadata.labels).toEqual({ v: '1' });
    expect(names(afterDelete.pod.node.pods)).toEqual(['tt-pod']);
  });

  it("a later page resolves at the first page's revision", async () => {
    await createNamespace('paged');
    await createNode('page-node', { v: 'old' });
    for (const name of ['a', 'b', 'c']) await createPod(name, { namespace: 'paged', nodeName: 'page-node' });
    const PAGE = `query($after: String) { pods(namespace: "paged", first: 2, after: $after) { revision pageInfo { endCursor } edges { node { metadata { name } node { metadata { labels } } } } } }`;
    const first = (await api.ok(PAGE, {})).pods;
    await api.ok(`mutation { patchNode(name: "page-node", patch: { metadata: { labels: { v: "new" } } }) { metadata { name } } }`);
    const second = (await api.ok(PAGE, { after: first.pageInfo.endCursor })).pods;
    expect(second.revision).toBe(first.revision);
    expect(second.edges.map((e: any) => [e.node.metadata.name, e.node.node.metadata.labels.v])).toEqual([['c', 'old']]);
  });
});

describe('Service.pods', () => {
  const SERVICE = (name: string, namespace: string, selector?: Record<string, string>) => ({
    metadata: { name, namespace },
    spec: { ...(selector ? { selector } : {}), ports: [{ port: 80 }] },
  });
  const createService = (input: unknown) => api.ok(`mutation($i: ServiceInput!) { createService(input: $i) { metadata { name } } }`, { i: input });

  it('selects the pods of its namespace that carry every label of its selector; none without a selector', async () => {
    await createNamespace('shop');
    await createNamespace('other');
    await createPod('front-1', { namespace: 'shop', labels: { app: 'web', tier: 'front' } });
    await createPod('front-2', { namespace: 'shop', labels: { app: 'web', tier: 'front', extra: 'x' } });
    await createPod('web-only', { namespace: 'shop', labels: { app: 'web' } });
    await createPod('wrong-tier', { namespace: 'shop', labels: { app: 'web', tier: 'back' } });
    await createPod('elsewhere', { namespace: 'other', labels: { app: 'web', tier: 'front' } });
    await createService(SERVICE('web', 'shop', { app: 'web', tier: 'front' }));
    await createService(SERVICE('all-web', 'shop', { app: 'web' }));
    await createService(SERVICE('back', 'shop', { tier: 'back' }));
    await createService(SERVICE('none', 'shop', { app: 'nothing' }));
    await createService(SERVICE('manual', 'shop'));

    const { data, statements } = await counted(`{ services(namespace: "shop") { edges { node { metadata { name } pods { metadata { name namespace } } } } } }`);
    const pods = Object.fromEntries(data.services.edges.map((e: any) => [e.node.metadata.name, names(e.node.pods)]));
    expect(pods).toEqual({
      web: ['front-1', 'front-2'],
      'all-web': ['front-1', 'front-2', 'web-only', 'wrong-tier'],
      back: ['wrong-tier'],
      none: [],
      manual: [],
    });
    // One statement lists the services, one more selects the pods of all of them.
    expect(statements).toBeLessThanOrEqual(5);

    // Selection follows labels over time: at an earlier revision a pod is selected by the labels it had then.
    const n = (await api.ok('{ revision }')).revision;
    await api.ok(`mutation { patchPod(namespace: "shop", name: "front-1", patch: { metadata: { labels: { tier: null } } }) { metadata { name } } }`);
    const SVC = `query($r: Revision) { service(namespace: "shop", name: "web", atRevision: $r) { pods { metadata { name } } } }`;
    expect(names((await api.ok(SVC, {})).service.pods)).toEqual(['front-2']);
    expect(names((await api.ok(SVC, { r: n })).service.pods)).toEqual(['front-1', 'front-2']);
  });
});

describe('owner and the controller relations', () => {
  const RS = (name: string, namespace: string, app: string, ownerReferences?: unknown[]) => ({
    metadata: { name, namespace, ownerReferences },
    spec: { replicas: 1, selector: { matchLabels: { app } }, template: { metadata: { labels: { app } }, spec: { containers: CONTAINERS } } },
  });
  const createReplicaSet = async (input: unknown) =>
    (await api.ok(`mutation($i: ReplicaSetInput!) { createReplicaSet(input: $i) { metadata { name uid } } }`, { i: input })).createReplicaSet.metadata;

  it('the registry has the kinds these relations lead to', () => {
    for (const kind of ['ReplicaSet', 'Deployment', 'Endpoints']) expect(kindByName(kind), kind).toBeDefined();
  });

  it('owner resolves a controller ownerReference whose uid matches, and is null otherwise', async () => {
    await createNamespace('owned');
    const rs = await createReplicaSet(RS('rs-a', 'owned', 'a'));
    await createPod('child', { namespace: 'owned', ownerReferences: [controllerRef('ReplicaSet', 'rs-a', rs.uid)] });
    await createPod('stale-uid', { namespace: 'owned', ownerReferences: [controllerRef('ReplicaSet', 'rs-a', '00000000-0000-0000-0000-000000000000')] });
    await createPod('not-controller', { namespace: 'owned', ownerReferences: [controllerRef('ReplicaSet', 'rs-a', rs.uid, false)] });
    await createPod('missing-owner', { namespace: 'owned', ownerReferences: [controllerRef('ReplicaSet', 'rs-gone', rs.uid)] });
    await createPod('unknown-kind', { namespace: 'owned', ownerReferences: [controllerRef('StatefulSet', 'rs-a', rs.uid)] });
    await createPod('orphan', { namespace: 'owned' });

    const res = await api.ok(`{ pods(namespace: "owned") { edges { node { metadata { name } owner { __typename ... on ReplicaSet { metadata { name uid } } } } } } }`);
    const owners = Object.fromEntries(res.pods.edges.map((e: any) => [e.node.metadata.name, e.node.owner]));
    expect(owners).toEqual({
      child: { __typename: 'ReplicaSet', metadata: { name: 'rs-a', uid: rs.uid } },
      'stale-uid': null,
      'not-controller': null,
      'missing-owner': null,
      'unknown-kind': null,
      orphan: null,
    });
  });

  it('ReplicaSet.pods are the pods whose controller is that ReplicaSet, by uid', async () => {
    await createNamespace('rsp');
    const a = await createReplicaSet(RS('rs-a', 'rsp', 'a'));
    const b = await createReplicaSet(RS('rs-b', 'rsp', 'b'));
    await createPod('a-1', { namespace: 'rsp', ownerReferences: [controllerRef('ReplicaSet', 'rs-a', a.uid)] });
    await createPod('a-2', { namespace: 'rsp', ownerReferences: [controllerRef('ReplicaSet', 'rs-a', a.uid)] });
    await createPod('b-1', { namespace: 'rsp', ownerReferences: [controllerRef('ReplicaSet', 'rs-b', b.uid)] });
    await createPod('a-ref-only', { namespace: 'rsp', ownerReferences: [controllerRef('ReplicaSet', 'rs-a', a.uid, false)] });
    await createPod('a-labels-only', { namespace: 'rsp', labels: { app: 'a' } });

    const { data, statements } = await counted(`{ replicaSets(namespace: "rsp") { edges { node { metadata { name } pods { metadata { name } owner { ... on ReplicaSet { metadata { name } } } } } } } }`);
    const pods = Object.fromEntries(data.replicaSets.edges.map((e: any) => [e.node.metadata.name, e.node.pods]));
    expect(names(pods['rs-a'])).toEqual(['a-1', 'a-2']);
    expect(names(pods['rs-b'])).toEqual(['b-1']);
    expect(pods['rs-a'].every((p: any) => p.owner.metadata.name === 'rs-a')).toBe(true);
    // The replica sets, their pods, and the pods' owners: three statements, however many there are.
    expect(statements).toBeLessThanOrEqual(5);

    // At an earlier revision, a pod created since is not there.
    const n = (await api.ok('{ revision }')).revision;
    await createPod('a-3', { namespace: 'rsp', ownerReferences: [controllerRef('ReplicaSet', 'rs-a', a.uid)] });
    const RSQ = `query($r: Revision) { replicaSet(namespace: "rsp", name: "rs-a", atRevision: $r) { pods { metadata { name } } } }`;
    expect(names((await api.ok(RSQ, { r: n })).replicaSet.pods)).toEqual(['a-1', 'a-2']);
    expect(names((await api.ok(RSQ, {})).replicaSet.pods)).toEqual(['a-1', 'a-2', 'a-3']);
  });

  it('Deployment.replicaSets are the ReplicaSets whose controller is that Deployment, and their owner is it', async () => {
    await createNamespace('deploy');
    const input = {
      metadata: { name: 'shop', namespace: 'deploy' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'shop' } }, template: { metadata: { labels: { app: 'shop' } }, spec: { containers: CONTAINERS } } },
    };
    const d = (await api.ok(`mutation($i: DeploymentInput!) { createDeployment(input: $i) { metadata { uid } } }`, { i: input })).createDeployment.metadata;
    await createReplicaSet(RS('shop-1', 'deploy', 'shop', [controllerRef('Deployment', 'shop', d.uid)]));
    await createReplicaSet(RS('shop-2', 'deploy', 'shop', [controllerRef('Deployment', 'shop', d.uid)]));
    await createReplicaSet(RS('stray', 'deploy', 'shop'));
    const res = await api.ok(`{ deployment(namespace: "deploy", name: "shop") { replicaSets { metadata { name } owner { ... on Deployment { metadata { uid } } } } } }`);
    expect(names(res.deployment.replicaSets)).toEqual(['shop-1', 'shop-2']);
    expect(res.deployment.replicaSets.map((r: any) => r.owner.metadata.uid)).toEqual([d.uid, d.uid]);
  });

  it('Service.endpoints is the Endpoints of the same namespace and name', async () => {
    await createNamespace('ep');
    for (const name of ['with-ep', 'without-ep'])
      await api.ok(`mutation($i: ServiceInput!) { createService(input: $i) { metadata { name } } }`, { i: { metadata: { name, namespace: 'ep' }, spec: { selector: { app: name }, ports: [{ port: 80 }] } } });
    await api.ok(`mutation($i: EndpointsInput!) { createEndpoints(input: $i) { metadata { name } } }`, {
      i: { metadata: { name: 'with-ep', namespace: 'ep' }, subsets: [{ addresses: [{ ip: '10.128.0.7' }], ports: [{ port: 80 }] }] },
    });
    // An Endpoints of the same name in another namespace is not it.
    await api.ok(`mutation($i: EndpointsInput!) { createEndpoints(input: $i) { metadata { name } } }`, {
      i: { metadata: { name: 'without-ep', namespace: 'default' }, subsets: [] },
    });
    const res = await api.ok(`{ services(namespace: "ep") { edges { node { metadata { name } endpoints { metadata { name namespace } subsets { addresses { ip } } } } } } }`);
    const eps = Object.fromEntries(res.services.edges.map((e: any) => [e.node.metadata.name, e.node.endpoints]));
    expect(eps['with-ep']).toEqual({ metadata: { name: 'with-ep', namespace: 'ep' }, subsets: [{ addresses: [{ ip: '10.128.0.7' }] }] });
    expect(eps['without-ep']).toBeNull();
  });
});
