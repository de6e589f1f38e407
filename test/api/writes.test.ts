import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_POD, POD, startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const head = async () => (await api.ok('{ revision }')).revision as number;
const GET = `query($n: String!) { pod(namespace: "default", name: $n) { metadata { name resourceVersion generation labels deletionTimestamp deletionGracePeriodSeconds finalizers } spec { nodeName containers { image } } status { phase } } }`;
const get = async (name: string) => (await api.ok(GET, { n: name })).pod;

describe('write semantics', () => {
  it('create sets uid, creationTimestamp, generation 1 and ignores status; a second create is ALREADY_EXISTS', async () => {
    const res = await api.ok(`mutation { createPod(input: { metadata: { name: "w1" }, spec: { containers: [{ name: "c", image: "nginx" }] }, status: { phase: "Running" } }) { metadata { uid generation creationTimestamp } status { phase } spec { containers { imagePullPolicy } restartPolicy } } }`);
    expect(res.createPod.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.createPod.metadata.generation).toBe(1);
    expect(res.createPod.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(res.createPod.status.phase).toBe('Pending');
    expect(res.createPod.spec.restartPolicy).toBe('Always');
    expect(res.createPod.spec.containers[0].imagePullPolicy).toBe('Always');
    const again = await api.gql(CREATE_POD, { i: POD('w1') });
    expect(again.errors?.[0].extensions?.code).toBe('ALREADY_EXISTS');
  });

  it('generateName appends five random characters', async () => {
    const res = await api.ok(`mutation { createPod(input: { metadata: { generateName: "web-" }, spec: { containers: [{ name: "c", image: "nginx" }] } }) { metadata { name generateName } } }`);
    expect(res.createPod.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
  });

  it('generation moves only when the spec changes; an update that changes nothing appends nothing', async () => {
    await api.ok(CREATE_POD, { i: POD('w2') });
    const labelOnly = await api.ok(`mutation { patchPod(namespace: "default", name: "w2", patch: { metadata: { labels: { a: "b" } } }) { metadata { generation resourceVersion } } }`);
    expect(labelOnly.patchPod.metadata.generation).toBe(1);
    const image = await api.ok(`mutation { patchPod(namespace: "default", name: "w2", patch: { spec: { containers: [{ name: "app", image: "nginx:1.26" }] } }) { metadata { generation } spec { containers { image } } } }`);
    expect(image.patchPod.metadata.generation).toBe(2);
    expect(image.patchPod.spec.containers[0].image).toBe('nginx:1.26');
    const h = await head();
    const current = await get('w2');
    const noop = await api.ok(`mutation($i: PodInput!) { updatePod(input: $i) { metadata { resourceVersion } } }`, {
      i: { metadata: { name: 'w2', labels: { a: 'b' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.26' }] } },
    });
    expect(noop.updatePod.metadata.resourceVersion).toBe(current.metadata.resourceVersion);
    expect(await head()).toBe(h);
  });

  it('update and patch ignore status; updateStatus writes status alone', async () => {
    await api.ok(CREATE_POD, { i: POD('w3') });
    const patched = await api.ok(`mutation { patchPod(namespace: "default", name: "w3", patch: { status: { phase: "Failed" }, metadata: { labels: { x: "y" } } }) { status { phase } metadata { labels } } }`);
    expect(patched.patchPod.status.phase).toBe('Pending');
    const st = await api.ok(`mutation { updatePodStatus(namespace: "default", name: "w3", status: { phase: "Running", podIP: "10.128.0.5" }) { status { phase podIP } metadata { generation labels } } }`);
    expect(st.updatePodStatus.status).toEqual({ phase: 'Running', podIP: '10.128.0.5' });
    expect(st.updatePodStatus.metadata).toEqual({ generation: 1, labels: { x: 'y' } });
    const bad = await api.gql(`mutation { updatePodStatus(namespace: "default", name: "w3", status: { phase: "Dancing" }) { status { phase } } }`);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'status.phase' });
  });

  it('a pod spec is immutable but for images', async () => {
    await api.ok(CREATE_POD, { i: POD('w4') });
    const res = await api.gql(`mutation { patchPod(namespace: "default", name: "w4", patch: { spec: { restartPolicy: "Never" } }) { metadata { name } } }`);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'patch.spec.restartPolicy' });
  });

  it('finalizers hold a deletion until the last one is removed by update', async () => {
    await api.ok(CREATE_POD, { i: { ...POD('w5'), metadata: { name: 'w5', finalizers: ['example.com/hold'] } } });
    const del = await api.ok(`mutation { deletePod(namespace: "default", name: "w5") { metadata { deletionTimestamp finalizers } } }`);
    expect(del.deletePod.metadata.deletionTimestamp).toBeTruthy();
    expect((await get('w5')).metadata.finalizers).toEqual(['example.com/hold']);
    const adding = await api.gql(`mutation { patchPod(namespace: "default", name: "w5", patch: { metadata: { finalizers: ["example.com/hold", "another.io/x"] } }) { metadata { name } } }`);
    // A validation error in Kubernetes (422 Invalid, field.Forbidden), not an authorization one.
    expect(adding.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'patch.metadata.finalizers' });
    expect(adding.errors?.[0].message).toContain('no new finalizers can be added if the object is being deleted, found new finalizers []string{"another.io/x"}');
    await api.ok(`mutation { patchPod(namespace: "default", name: "w5", patch: { metadata: { finalizers: null } }) { metadata { name } } }`);
    expect(await get('w5')).toBeNull();
    const last = api.db().prepare(`SELECT type, verb FROM events WHERE name = 'w5' ORDER BY revision DESC LIMIT 1`).get();
    expect(last).toEqual({ type: 'DELETED', verb: 'patch' });
  });

  it('a pod bound to a node waits out its grace period; an unbound one goes at once', async () => {
    await api.ok(CREATE_POD, { i: POD('bound', { spec: { containers: [{ name: 'c', image: 'x' }], nodeName: 'node-a' } }) });
    const del = await api.ok(`mutation { deletePod(namespace: "default", name: "bound") { metadata { deletionTimestamp deletionGracePeriodSeconds } } }`);
    expect(del.deletePod.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(await get('bound')).not.toBeNull();
    await api.ok(`mutation { deletePod(namespace: "default", name: "bound", gracePeriodSeconds: 0) { metadata { name } } }`);
    expect(await get('bound')).toBeNull();

    await api.ok(CREATE_POD, { i: POD('unbound') });
    await api.ok(`mutation { deletePod(namespace: "default", name: "unbound") { metadata { name } } }`);
    expect(await get('unbound')).toBeNull();
    const events = api.db().prepare(`SELECT type FROM events WHERE name = 'unbound' ORDER BY revision`).all();
    expect(events).toEqual([{ type: 'ADDED' }, { type: 'DELETED' }]);
  });

  it('namespace lifecycle: no create in a missing namespace (NOT_FOUND) or a terminating one (FORBIDDEN)', async () => {
    expect((await api.gql(CREATE_POD, { i: POD('x', { namespace: 'nowhere' }) })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    await api.ok('mutation { createNamespace(input: { metadata: { name: "doomed" } }) { metadata { name } } }');
    const del = await api.ok('mutation { deleteNamespace(name: "doomed") { status { phase } metadata { deletionTimestamp } } }');
    expect(del.deleteNamespace.status.phase).toBe('Terminating');
    expect((await api.gql(CREATE_POD, { i: POD('x', { namespace: 'doomed' }) })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    // Its spec.finalizers hold it until the namespace controller lets go.
    await api.ok('mutation { patchNamespace(name: "doomed", patch: { spec: { finalizers: [] } }) { metadata { name } } }');
    expect((await api.ok('{ namespace(name: "doomed") { metadata { name } } }')).namespace).toBeNull();
  });

  it('the system namespaces and the kubernetes Service exist from the start, written by system:apiserver', async () => {
    const rows = api.db().prepare(`SELECT name, actor, verb FROM events WHERE kind = 'Namespace' ORDER BY revision LIMIT 4`).all();
    expect(rows).toEqual([
      { name: 'default', actor: 'system:apiserver', verb: 'create' },
      { name: 'kube-system', actor: 'system:apiserver', verb: 'create' },
      { name: 'kube-public', actor: 'system:apiserver', verb: 'create' },
      { name: 'kube-node-lease', actor: 'system:apiserver', verb: 'create' },
    ]);
    const svc = await api.ok(`{ service(namespace: "default", name: "kubernetes") { metadata { labels } spec { type clusterIP selector ports { name port protocol } } } }`);
    expect(svc.service).toEqual({
      metadata: { labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', selector: null, ports: [{ name: 'https', port: 443, protocol: 'TCP' }] },
    });
    expect(api.db().prepare(`SELECT actor FROM events WHERE kind = 'Service' AND name = 'kubernetes'`).pluck().all()).toEqual(['system:apiserver']);
  });

  it('unknown fields are kept verbatim and reported in extensions.warnings', async () => {
    const probe = { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 3 };
    const res = await api.gql(`mutation($i: PodInput!) { createPod(input: $i) { manifest } }`, {
      i: { metadata: { name: 'probed' }, spec: { containers: [{ name: 'c', image: 'nginx', livenessProbe: probe }], volumes: [{ name: 'v', emptyDir: {} }] } },
    });
    expect(res.errors).toBeUndefined();
    expect(res.extensions?.warnings).toEqual(['unknown field "spec.containers[0].livenessProbe"', 'unknown field "spec.volumes"']);
    expect(res.data.createPod.manifest.spec.containers[0].livenessProbe).toEqual(probe);
    const stored = (await api.ok(`{ pod(namespace: "default", name: "probed") { manifest } }`)).pod.manifest;
    expect(stored.spec.containers[0].livenessProbe).toEqual(probe);
    expect(stored.spec.volumes).toEqual([{ name: 'v', emptyDir: {} }]);
  });

  it('services get a ClusterIP from 10.96.0.0/16 that an update cannot change; nodes a podCIDR', async () => {
    const svc = await api.ok(`mutation { createService(input: { metadata: { name: "web" }, spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] } }) { spec { clusterIP type ports { protocol targetPort } } } }`);
    expect(svc.createService.spec.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(svc.createService.spec.type).toBe('ClusterIP');
    const kept = await api.ok(`mutation { updateService(input: { metadata: { name: "web" }, spec: { selector: { app: "web2" }, ports: [{ port: 80 }] } }) { spec { clusterIP } } }`);
    expect(kept.updateService.spec.clusterIP).toBe(svc.createService.spec.clusterIP);
    const changed = await api.gql(`mutation { patchService(namespace: "default", name: "web", patch: { spec: { clusterIP: "10.96.0.77" } }) { spec { clusterIP } } }`);
    expect(changed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'patch.spec.clusterIP' });
    const n1 = await api.ok(`mutation { createNode(input: { metadata: { name: "n1" } }) { spec { podCIDR } } }`);
    const n2 = await api.ok(`mutation { createNode(input: { metadata: { name: "n2" } }) { spec { podCIDR } } }`);
    expect([n1.createNode.spec.podCIDR, n2.createNode.spec.podCIDR]).toEqual(['10.128.0.0/24', '10.128.1.0/24']);
  });
});
