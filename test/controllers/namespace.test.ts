import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kinds } from '../../server/resources/registry.js';
import { createNamespace, manifest, startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { eventually } from '../support/processes.js';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(() => cp?.close());

const NS = 'doomed';
const template = (app: string) => ({
  selector: { matchLabels: { app } },
  template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } },
});

/** Current objects in a namespace, per kind, read from the projection. */
const contents = (namespace: string) =>
  cp.api.db().prepare(`SELECT kind, name FROM objects WHERE namespace = ? AND to_rev IS NULL ORDER BY kind, name`).all(namespace) as Array<{ kind: string; name: string }>;

describe('namespace controller', () => {
  it('deletes every object in a terminating namespace, waits for the last one, then lets the namespace go', async () => {
    await createNamespace(cp.api, NS);
    await createNamespace(cp.api, 'bystander');
    const pod = (name: string, namespace = NS) => ({ metadata: { name, namespace, labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } });
    for (const name of ['p1', 'p2', 'p3']) await cp.api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, { i: pod(name) });
    await cp.api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, { i: pod('safe', 'bystander') });
    // A pod on a node is removed by its node agent after its grace period: the namespace must wait for it.
    await cp.api.ok(`mutation { bindPod(namespace: "doomed", name: "p3", nodeName: "node-a") { metadata { name } } }`);
    await cp.api.ok(`mutation($i: ServiceInput!) { createService(input: $i) { metadata { name } } }`, {
      i: { metadata: { name: 'web', namespace: NS }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
    });
    await cp.api.ok(`mutation($i: DeploymentInput!) { createDeployment(input: $i) { metadata { name } } }`, { i: { metadata: { name: 'shop', namespace: NS }, spec: { replicas: 0, ...template('shop') } } });
    await cp.api.ok(`mutation($i: ReplicaSetInput!) { createReplicaSet(input: $i) { metadata { name } } }`, { i: { metadata: { name: 'rs', namespace: NS }, spec: { replicas: 0, ...template('rs') } } });
    await cp.api.ok(`mutation($i: LeaseInput!) { createLease(input: $i) { metadata { name } } }`, { i: { metadata: { name: 'lock', namespace: NS }, spec: { holderIdentity: 'me' } } });
    await cp.api.ok(`mutation($i: ResourceQuotaInput!) { createResourceQuota(input: $i) { metadata { name } } }`, { i: { metadata: { name: 'q', namespace: NS }, spec: { hard: { pods: '10' } } } });
    // The controller-manager holds Events as metadata only: it still finds and deletes them.
    await cp.api.ok(`mutation($i: EventInput!) { createEvent(input: $i) { metadata { name } } }`, {
      i: { metadata: { name: 'p1.1', namespace: NS }, involvedObject: { kind: 'Pod', namespace: NS, name: 'p1' }, reason: 'Pulled', message: 'Container image "nginx:1.25" already present on machine', type: 'Normal' },
    });
    // The endpoints controller writes the Service's Endpoints: the namespace is not empty of controller-written objects either.
    await eventually(() => manifest(cp.api, 'endpoints', NS, 'web'));
    expect([...new Set(contents(NS).map((o) => o.kind))]).toEqual(expect.arrayContaining(['Pod', 'Service', 'Endpoints', 'Deployment', 'ReplicaSet', 'Lease', 'ResourceQuota', 'Event']));

    const deleted = await cp.api.ok(`mutation { deleteNamespace(name: "doomed") { status { phase } metadata { deletionTimestamp } } }`);
    expect(deleted.deleteNamespace.status.phase).toBe('Terminating');

    // Everything but the pod waiting for its node agent goes; the namespace stays, Terminating, with its finalizer.
    const waiting = await eventually(async () => {
      const left = contents(NS);
      return left.length === 1 && left[0].name === 'p3' ? left : undefined;
    }, 15_000, () => JSON.stringify(contents(NS)));
    expect(waiting).toEqual([{ kind: 'Pod', name: 'p3' }]);
    expect((await manifest(cp.api, 'pod', NS, 'p3')).metadata.deletionTimestamp).toBeTruthy();
    const ns = await manifest(cp.api, 'namespace', undefined, NS);
    expect(ns.status.phase).toBe('Terminating');
    expect(ns.spec.finalizers).toEqual(['kubernetes']);
    // Nothing new may be created meanwhile.
    const refused = await cp.api.gql(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, { i: pod('late') });
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    // Play the node agent: the pod is gone, and so, then, is the namespace.
    await cp.api.ok(`mutation { deletePod(namespace: "doomed", name: "p3", gracePeriodSeconds: 0) { metadata { name } } }`);
    await eventually(async () => (await manifest(cp.api, 'namespace', undefined, NS)) === null);
    expect(contents(NS)).toEqual([]);
    const last = cp.api.db().prepare(`SELECT verb, type, object FROM events WHERE kind = 'Namespace' AND name = ? ORDER BY revision DESC LIMIT 1`).get(NS) as { verb: string; type: string; object: string };
    expect([last.verb, last.type]).toEqual(['patch', 'DELETED']);
    expect(JSON.parse(last.object).spec.finalizers ?? []).toEqual([]);
    // Other namespaces are untouched (their default ServiceAccount comes from the serviceaccounts controller).
    expect(contents('bystander')).toEqual([{ kind: 'Pod', name: 'safe' }, { kind: 'ServiceAccount', name: 'default' }]);
    expect(kinds.filter((k) => k.namespaced).length).toBeGreaterThan(6);
  });
});
