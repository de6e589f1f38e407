import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNamespace, manifest, setPodStatus, startControlPlane, type ControlPlane } from '../support/control-plane.js';
import { eventually } from '../support/processes.js';

let cp: ControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
  await createNamespace(cp.api, NS);
});
afterAll(() => cp?.close());

const NS = 'quota';
const CREATE_POD = `mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`;

const podInput = (name: string, resources?: { requests?: Record<string, string>; limits?: Record<string, string> }, namespace = NS) => ({
  i: { metadata: { name, namespace }, spec: { containers: [{ name: 'app', image: 'nginx:1.25', ...(resources ? { resources } : {}) }] } },
});
const compute = (cpu: string, memory: string) => ({ requests: { cpu, memory }, limits: { cpu, memory } });

async function quota(name: string, spec: Record<string, unknown>, namespace = NS): Promise<void> {
  await cp.api.ok(`mutation($i: ResourceQuotaInput!) { createResourceQuota(input: $i) { metadata { name } } }`, { i: { metadata: { name, namespace }, spec } });
}

const head = () => (cp.api.db().prepare(`SELECT coalesce(max(revision), 0) AS r FROM events`).get() as { r: number }).r;

/**
 * Sends a create of `kind` `name` that must be refused, and checks that it wrote nothing: no event
 * and no object of that name (the controllers write concurrently, so the log as a whole may move).
 */
async function rejected(query: string, variables: Record<string, unknown>, kind: string, name: string): Promise<{ message: string; extensions?: Record<string, any> }> {
  const before = head();
  const res = await cp.api.gql(query, variables);
  expect(res.errors).toHaveLength(1);
  expect(cp.api.db().prepare(`SELECT revision FROM events WHERE revision > ? AND kind = ? AND name = ?`).all(before, kind, name)).toEqual([]);
  expect(cp.api.db().prepare(`SELECT name FROM objects WHERE kind = ? AND name = ?`).all(kind, name)).toEqual([]);
  return res.errors![0];
}

const statusOf = (name: string, namespace = NS) => manifest(cp.api, 'resourceQuota', namespace, name).then((q) => q?.status);
const converges = (name: string, status: unknown, namespace = NS) =>
  eventually(async () => isDeepStrictEqual(await statusOf(name, namespace), status), 10_000).catch(async (e) => {
    expect(await statusOf(name, namespace)).toEqual(status);
    throw e;
  });

describe('resource quota', () => {
  it('rejects a create past a quota with QUOTA_EXCEEDED, worded as Kubernetes, and keeps status.used up to date', async () => {
    await quota('counts', { hard: { pods: '3', services: 1 } });
    // Only pods with requests or limits (NotBestEffort) count against this one.
    await quota('compute', { hard: { 'requests.cpu': '1', 'requests.memory': '1Gi', 'limits.cpu': '2000m', 'limits.memory': '2Gi' }, scopes: ['NotBestEffort'] });
    await cp.api.ok(CREATE_POD, podInput('best-effort'));
    await cp.api.ok(CREATE_POD, podInput('small', compute('500m', '256Mi')));
    await cp.api.ok(CREATE_POD, podInput('smaller', compute('400m', '0.5Gi')));

    const pods = await rejected(CREATE_POD, podInput('one-too-many'), 'Pod', 'one-too-many');
    expect(pods.extensions?.code).toBe('QUOTA_EXCEEDED');
    expect(pods.message).toBe('pods "one-too-many" is forbidden: exceeded quota: counts, requested: pods=1, used: pods=3, limited: pods=3');

    await converges('counts', { hard: { pods: '3', services: '1' }, used: { pods: '3', services: '0' } });
    await converges('compute', {
      hard: { 'limits.cpu': '2', 'limits.memory': '2Gi', 'requests.cpu': '1', 'requests.memory': '1Gi' },
      used: { 'limits.cpu': '900m', 'limits.memory': '768Mi', 'requests.cpu': '900m', 'requests.memory': '768Mi' },
    });

    // A pod that finished frees its share; one being deleted too.
    await setPodStatus(cp.api, NS, 'best-effort', { phase: 'Succeeded' });
    await converges('counts', { hard: { pods: '3', services: '1' }, used: { pods: '2', services: '0' } });
    const cpu = await rejected(CREATE_POD, podInput('too-hungry', compute('200m', '1Mi')), 'Pod', 'too-hungry');
    expect(cpu.extensions?.code).toBe('QUOTA_EXCEEDED');
    expect(cpu.message).toBe('pods "too-hungry" is forbidden: exceeded quota: compute, requested: requests.cpu=200m, used: requests.cpu=900m, limited: requests.cpu=1');
    // With a compute quota, every container must say what it needs (Kubernetes' "must specify").
    const vague = await rejected(CREATE_POD, podInput('vague', { requests: { cpu: '10m' } }), 'Pod', 'vague');
    expect(vague.extensions?.code).toBe('QUOTA_EXCEEDED');
    expect(vague.message).toBe('pods "vague" is forbidden: failed quota: compute: must specify limits.cpu,limits.memory,requests.memory');
    await cp.api.ok(CREATE_POD, podInput('fits', compute('100m', '1Mi')));

    // Services, and apply (the same create path).
    await cp.api.ok(`mutation { createService(input: { metadata: { name: "s1", namespace: "quota" }, spec: { ports: [{ port: 80 }] } }) { metadata { name } } }`);
    const svc = await rejected(`mutation($m: String!) { apply(manifests: $m) { revision } }`, {
      m: 'apiVersion: v1\nkind: Service\nmetadata: { name: s2, namespace: quota }\nspec: { ports: [{ port: 80 }] }\n',
    }, 'Service', 's2');
    expect(svc.extensions?.code).toBe('QUOTA_EXCEEDED');
    expect(svc.message).toContain('exceeded quota: counts, requested: services=1, used: services=1, limited: services=1');
    await converges('counts', { hard: { pods: '3', services: '1' }, used: { pods: '3', services: '1' } });
  });

  it('counts inside the create transaction: of many concurrent creates, exactly those that fit are written', async () => {
    await createNamespace(cp.api, 'race');
    await quota('five', { hard: { pods: '5', 'count/leases.coordination.k8s.io': 2 } }, 'race');
    await cp.api.ok(CREATE_POD, podInput('first', undefined, 'race'));
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => cp.api.gql(CREATE_POD, podInput(`p${i}`, undefined, 'race'))));
    expect(results.filter((r) => !r.errors).length).toBe(4);
    expect(results.filter((r) => r.errors?.[0].extensions?.code === 'QUOTA_EXCEEDED').length).toBe(8);
    const leases = await Promise.all(
      Array.from({ length: 5 }, (_, i) => cp.api.gql(`mutation($i: LeaseInput!) { createLease(input: $i) { metadata { name } } }`, { i: { metadata: { name: `l${i}`, namespace: 'race' } } })),
    );
    expect(leases.filter((r) => !r.errors).length).toBe(2);
    expect(leases.find((r) => r.errors)!.errors![0].message).toContain('exceeded quota: five, requested: count/leases.coordination.k8s.io=1, used: count/leases.coordination.k8s.io=2, limited: count/leases.coordination.k8s.io=2');
    await converges('five', { hard: { 'count/leases.coordination.k8s.io': '2', pods: '5' }, used: { 'count/leases.coordination.k8s.io': '2', pods: '5' } }, 'race');
    // Deleting frees room at once (admission does not wait for the controller's status).
    await cp.api.ok(`mutation { deletePod(namespace: "race", name: "first") { metadata { name } } }`);
    await cp.api.ok(CREATE_POD, podInput('again', undefined, 'race'));
  });

  it('count/deployments.apps', async () => {
    await createNamespace(cp.api, 'deploy');
    await quota('one-deployment', { hard: { 'count/deployments.apps': '1' } }, 'deploy');
    const deployment = (name: string) => ({
      i: {
        metadata: { name, namespace: 'deploy' },
        spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } } },
      },
    });
    const CREATE = `mutation($i: DeploymentInput!) { createDeployment(input: $i) { metadata { name } } }`;
    await cp.api.ok(CREATE, deployment('d1'));
    const second = await rejected(CREATE, deployment('d2'), 'Deployment', 'd2');
    expect(second.message).toBe('deployments "d2" is forbidden: exceeded quota: one-deployment, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1');
    await converges('one-deployment', { hard: { 'count/deployments.apps': '1' }, used: { 'count/deployments.apps': '1' } }, 'deploy');
  });
});
