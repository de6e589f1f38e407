import { buildSchema as parseSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaModules } from '../../server/api/schema/modules/all.js';
import { generateSDL } from '../../server/api/schema/sdl.js';
import { kinds } from '../../server/resources/registry.js';
import { CREATE_POD, POD, snapshotTables, startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const head = async () => (await api.ok('{ revision }')).revision as number;
const lastEvent = () =>
  api.db().prepare(`SELECT revision, verb, type, kind, name, request_id AS requestId, object FROM events ORDER BY revision DESC LIMIT 1`).get() as {
    revision: number;
    verb: string;
    type: string;
    kind: string;
    name: string;
    requestId: string | null;
    object: string;
  };

/** Sends a request that must fail: returns its first error, after checking that the log and every table are unchanged. */
async function rejected(document: string, variables: Record<string, unknown> = {}) {
  const before = snapshotTables(api.db());
  const res = await api.gql(document, variables);
  expect(res.errors?.length, JSON.stringify(res)).toBeGreaterThan(0);
  expect(snapshotTables(api.db())).toBe(before);
  return res.errors![0];
}

const BIND = `mutation($n: String!, $node: String!, $rv: String, $r: String) {
  bindPod(namespace: "default", name: $n, nodeName: $node, resourceVersion: $rv, requestId: $r) {
    metadata { generation resourceVersion } spec { nodeName } status { phase conditions { type status reason message lastTransitionTime } } } }`;

describe('bindPod', () => {
  it('sets spec.nodeName and PodScheduled=True in one event with verb bind', async () => {
    const created = (await api.ok(CREATE_POD, { i: POD('b1') })).createPod;
    const before = await head();
    const res = (await api.ok(BIND, { n: 'b1', node: 'node-a' })).bindPod;
    expect(res.spec.nodeName).toBe('node-a');
    expect(res.status.phase).toBe('Pending');
    expect(res.status.conditions).toHaveLength(1);
    expect(res.status.conditions[0]).toMatchObject({ type: 'PodScheduled', status: 'True', reason: null, message: null });
    expect(res.status.conditions[0].lastTransitionTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(res.metadata.generation).toBe(created.metadata.generation + 1);

    expect(await head()).toBe(before + 1);
    const event = lastEvent();
    expect(event).toMatchObject({ revision: before + 1, verb: 'bind', type: 'MODIFIED', kind: 'Pod', name: 'b1' });
    const stored = JSON.parse(event.object);
    expect(stored.spec.nodeName).toBe('node-a');
    expect(stored.status.conditions).toEqual([{ type: 'PodScheduled', status: 'True', lastTransitionTime: res.status.conditions[0].lastTransitionTime }]);
    expect(res.metadata.resourceVersion).toBe(String(event.revision));

    const onNode = await api.ok(`{ pods(namespace: "default", fieldSelector: "spec.nodeName=node-a") { edges { node { metadata { name } } } } }`);
    expect(onNode.pods.edges.map((e: { node: { metadata: { name: string } } }) => e.node.metadata.name)).toContain('b1');
  });

  it('a second bind answers CONFLICT and leaves the log unchanged', async () => {
    await api.ok(CREATE_POD, { i: POD('b2') });
    await api.ok(BIND, { n: 'b2', node: 'node-a' });
    const error = await rejected(BIND, { n: 'b2', node: 'node-b' });
    expect(error.extensions?.code).toBe('CONFLICT');
    expect(error.message).toBe('Operation cannot be fulfilled on pods/binding "b2": pod b2 is already assigned to node "node-a"');
    const again = await rejected(BIND, { n: 'b2', node: 'node-a' });
    expect(again.extensions?.code).toBe('CONFLICT');
  });

  it('a pod created with a nodeName is already bound', async () => {
    await api.ok(CREATE_POD, { i: POD('b3', { spec: { containers: [{ name: 'c', image: 'i' }], nodeName: 'node-a' } }) });
    expect((await rejected(BIND, { n: 'b3', node: 'node-b' })).extensions?.code).toBe('CONFLICT');
  });

  it('a pod being deleted answers CONFLICT', async () => {
    await api.ok(`mutation { createPod(input: { metadata: { name: "b4", finalizers: ["example.com/hold"] }, spec: { containers: [{ name: "c", image: "i" }] } }) { metadata { name } } }`);
    await api.ok(`mutation { deletePod(namespace: "default", name: "b4") { metadata { deletionTimestamp } } }`);
    const error = await rejected(BIND, { n: 'b4', node: 'node-a' });
    expect(error.extensions?.code).toBe('CONFLICT');
    expect(error.message).toContain('is being deleted, cannot be assigned to a host');
  });

  it('replaces an Unschedulable PodScheduled=False condition, with a new transition time and no reason', async () => {
    await api.ok(CREATE_POD, { i: POD('b5') });
    await api.ok(`mutation { updatePodStatus(namespace: "default", name: "b5", status: { phase: "Pending", conditions: [
      { type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/1 nodes are available: 1 Insufficient cpu.", lastTransitionTime: "2020-01-01T00:00:00Z" },
      { type: "Custom", status: "True" }] }) { metadata { name } } }`);
    const res = (await api.ok(BIND, { n: 'b5', node: 'node-a' })).bindPod;
    expect(res.status.conditions).toHaveLength(2);
    expect(res.status.conditions[0]).toMatchObject({ type: 'PodScheduled', status: 'True', reason: null, message: null });
    expect(res.status.conditions[0].lastTransitionTime).not.toBe('2020-01-01T00:00:00Z');
    expect(res.status.conditions[1]).toMatchObject({ type: 'Custom', status: 'True' });
  });

  it('checks the resourceVersion precondition', async () => {
    const created = (await api.ok(CREATE_POD, { i: POD('b6') })).createPod;
    await api.ok(`mutation { patchPod(namespace: "default", name: "b6", patch: { metadata: { labels: { x: "y" } } }) { metadata { name } } }`);
    const error = await rejected(BIND, { n: 'b6', node: 'node-a', rv: created.metadata.resourceVersion });
    expect(error.extensions?.code).toBe('CONFLICT');
    const current = (await api.ok(`{ pod(namespace: "default", name: "b6") { metadata { resourceVersion } } }`)).pod;
    const res = (await api.ok(BIND, { n: 'b6', node: 'node-a', rv: current.metadata.resourceVersion })).bindPod;
    expect(res.spec.nodeName).toBe('node-a');
  });

  it.each([
    ['not a DNS-1123 subdomain', 'Node_A', 'BAD_USER_INPUT', 'nodeName'],
    ['empty', '', 'BAD_USER_INPUT', 'nodeName'],
  ])('rejects a nodeName that is %s', async (_what, node, code, field) => {
    await api.gql(CREATE_POD, { i: POD('b7') });
    const error = await rejected(BIND, { n: 'b7', node });
    expect(error.extensions).toMatchObject({ code, field });
  });

  it('answers NOT_FOUND for a missing pod', async () => {
    expect((await rejected(BIND, { n: 'ghost', node: 'node-a' })).extensions?.code).toBe('NOT_FOUND');
  });

  it('a retried bind with the same requestId returns the first result and appends nothing', async () => {
    await api.ok(CREATE_POD, { i: POD('b8') });
    const first = (await api.ok(BIND, { n: 'b8', node: 'node-a', r: 'bind-b8' })).bindPod;
    expect(lastEvent()).toMatchObject({ verb: 'bind', requestId: 'bind-b8' });
    const before = snapshotTables(api.db());
    const retry = (await api.ok(BIND, { n: 'b8', node: 'node-a', r: 'bind-b8' })).bindPod;
    expect(retry).toEqual(first);
    expect(snapshotTables(api.db())).toBe(before);
  });
});

const RS = (name: string, replicas?: number) => ({
  metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } },
});
const SCALE_RS = `mutation($n: String!, $r: Int!, $rv: String, $id: String) {
  scaleReplicaSet(namespace: "default", name: $n, replicas: $r, resourceVersion: $rv, requestId: $id) { metadata { generation resourceVersion } spec { replicas } } }`;
const SCALE_DEPLOY = `mutation($n: String!, $r: Int!, $rv: String) {
  scaleDeployment(namespace: "default", name: $n, replicas: $r, resourceVersion: $rv) { metadata { generation resourceVersion } spec { replicas strategy { type } } } }`;

describe('scale', () => {
  it('scaleReplicaSet sets spec.replicas with verb scale and generation +1', async () => {
    await api.ok(`mutation($i: ReplicaSetInput!) { createReplicaSet(input: $i) { metadata { name } } }`, { i: RS('s1') });
    const before = await head();
    const res = (await api.ok(SCALE_RS, { n: 's1', r: 5 })).scaleReplicaSet;
    expect(res).toMatchObject({ metadata: { generation: 2 }, spec: { replicas: 5 } });
    expect(await head()).toBe(before + 1);
    const event = lastEvent();
    expect(event).toMatchObject({ verb: 'scale', type: 'MODIFIED', kind: 'ReplicaSet', name: 's1' });
    expect(JSON.parse(event.object).spec.replicas).toBe(5);
    expect(res.metadata.resourceVersion).toBe(String(event.revision));
    const zero = (await api.ok(SCALE_RS, { n: 's1', r: 0 })).scaleReplicaSet;
    expect(zero).toMatchObject({ metadata: { generation: 3 }, spec: { replicas: 0 } });
  });

  it('an unchanged replica count appends nothing', async () => {
    await api.ok(`mutation($i: ReplicaSetInput!) { createReplicaSet(input: $i) { metadata { name } } }`, { i: RS('s2', 3) });
    const before = snapshotTables(api.db());
    const res = (await api.ok(SCALE_RS, { n: 's2', r: 3 })).scaleReplicaSet;
    expect(res).toMatchObject({ metadata: { generation: 1 }, spec: { replicas: 3 } });
    expect(snapshotTables(api.db())).toBe(before);
  });

  it('negative replicas answer BAD_USER_INPUT naming replicas, and change nothing', async () => {
    await api.ok(`mutation($i: ReplicaSetInput!) { createReplicaSet(input: $i) { metadata { name } } }`, { i: RS('s3') });
    const error = await rejected(SCALE_RS, { n: 's3', r: -1 });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'replicas' });
    expect(error.message).toContain('must be greater than or equal to 0');
  });

  it('scaleDeployment does the same for a Deployment, with a resourceVersion precondition', async () => {
    const created = (await api.ok(`mutation($i: DeploymentInput!) { createDeployment(input: $i) { metadata { resourceVersion } } }`, { i: RS('s4') })).createDeployment;
    const res = (await api.ok(SCALE_DEPLOY, { n: 's4', r: 7, rv: created.metadata.resourceVersion })).scaleDeployment;
    expect(res).toMatchObject({ metadata: { generation: 2 }, spec: { replicas: 7, strategy: { type: 'RollingUpdate' } } });
    expect(lastEvent()).toMatchObject({ verb: 'scale', kind: 'Deployment', name: 's4' });
    const stale = await rejected(SCALE_DEPLOY, { n: 's4', r: 8, rv: created.metadata.resourceVersion });
    expect(stale.extensions?.code).toBe('CONFLICT');
    expect((await rejected(SCALE_DEPLOY, { n: 's4', r: -3 })).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'replicas' });
    expect((await rejected(SCALE_DEPLOY, { n: 'ghost', r: 1 })).extensions?.code).toBe('NOT_FOUND');
  });

  it('a retried scale with the same requestId returns the first result and appends nothing', async () => {
    await api.ok(`mutation($i: ReplicaSetInput!) { createReplicaSet(input: $i) { metadata { name } } }`, { i: RS('s5') });
    const first = (await api.ok(SCALE_RS, { n: 's5', r: 2, id: 'scale-s5' })).scaleReplicaSet;
    await api.ok(SCALE_RS, { n: 's5', r: 4 });
    const before = snapshotTables(api.db());
    const retry = (await api.ok(SCALE_RS, { n: 's5', r: 2, id: 'scale-s5' })).scaleReplicaSet;
    expect(retry).toEqual(first);
    expect(snapshotTables(api.db())).toBe(before);
  });

  it('scale mutations are generated for exactly the kinds that declare a scale subresource', () => {
    const mutation = parseSchema(generateSDL(kinds, schemaModules)).getMutationType()!.getFields();
    const scaled = Object.keys(mutation).filter((f) => f.startsWith('scale')).sort();
    expect(scaled).toEqual(kinds.filter((k) => k.scale).map((k) => `scale${k.kind}`).sort());
    expect(scaled).toEqual(['scaleDeployment', 'scaleReplicaSet', 'scaleStatefulSet']);
    expect(mutation.scaleReplicaSet.args.map((a) => a.name)).toEqual(['namespace', 'name', 'replicas', 'resourceVersion', 'requestId']);
    expect(mutation.bindPod.type.toString()).toBe('Pod!');
  });
});
