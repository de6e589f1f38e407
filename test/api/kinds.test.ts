import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotTables, startTestApi, type TestApi } from '../support/api.js';
import { NGINX_DEPLOYMENT } from '../support/manifests.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const TEMPLATE = (labels: Record<string, string> = { app: 'web' }, spec: Record<string, unknown> = {}) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'web', image: 'nginx:1.25' }], ...spec },
});
const WORKLOAD = (name: string, spec: Record<string, unknown> = {}) => ({
  metadata: { name },
  spec: { selector: { matchLabels: { app: 'web' } }, template: TEMPLATE(), ...spec },
});

const CREATE_RS = `mutation($i: ReplicaSetInput!) { createReplicaSet(input: $i) { metadata { name generation resourceVersion } spec { replicas selector { matchLabels } } } }`;
const CREATE_DEPLOY = `mutation($i: DeploymentInput!) { createDeployment(input: $i) { metadata { name generation resourceVersion } spec { replicas } } }`;

/** Sends a request that must fail: returns its first error, after checking that no table changed. */
async function rejected(document: string, variables: Record<string, unknown>) {
  const before = snapshotTables(api.db());
  const res = await api.gql(document, variables);
  expect(res.errors?.length, JSON.stringify(res)).toBeGreaterThan(0);
  expect(snapshotTables(api.db())).toBe(before);
  return res.errors![0];
}

describe('Deployment', () => {
  it('is defaulted as Kubernetes does: replicas 1, RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600, pod template defaults', async () => {
    const res = await api.ok(
      `mutation($i: DeploymentInput!) { createDeployment(input: $i) {
        metadata { generation }
        spec { replicas revisionHistoryLimit progressDeadlineSeconds minReadySeconds paused
          strategy { type rollingUpdate { maxSurge maxUnavailable } }
          template { metadata { labels } spec { restartPolicy dnsPolicy terminationGracePeriodSeconds containers { name image imagePullPolicy } } } }
        status { replicas conditions { type } } } }`,
      { i: WORKLOAD('defaults') },
    );
    expect(res.createDeployment).toEqual({
      metadata: { generation: 1 },
      spec: {
        replicas: 1,
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
        minReadySeconds: null,
        paused: null,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30, containers: [{ name: 'web', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent' }] },
        },
      },
      status: { replicas: null, conditions: null },
    });
  });

  it('keeps given values, and a Recreate strategy gets no rollingUpdate', async () => {
    const res = await api.ok(
      `mutation($i: DeploymentInput!) { createDeployment(input: $i) { spec { replicas revisionHistoryLimit strategy { type rollingUpdate { maxSurge } } } } }`,
      { i: WORKLOAD('recreate', { replicas: 0, revisionHistoryLimit: 0, strategy: { type: 'Recreate' } }) },
    );
    expect(res.createDeployment.spec).toEqual({ replicas: 0, revisionHistoryLimit: 0, strategy: { type: 'Recreate', rollingUpdate: null } });
    const surge = await api.ok(
      `mutation($i: DeploymentInput!) { createDeployment(input: $i) { spec { strategy { type rollingUpdate { maxSurge maxUnavailable } } } } }`,
      { i: WORKLOAD('surge', { strategy: { rollingUpdate: { maxSurge: 1 } } }) },
    );
    expect(surge.createDeployment.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } });
  });

  it('the nginx Deployment of the Kubernetes documentation creates with no errors and no warnings', async () => {
    const manifest = parseYaml(NGINX_DEPLOYMENT);
    const res = await api.gql(
      `mutation($i: DeploymentInput!) { createDeployment(input: $i) { apiVersion kind metadata { name namespace labels } spec { replicas selector { matchLabels } template { spec { containers { name image ports { containerPort protocol } } } } } } }`,
      { i: manifest },
    );
    expect(res.errors).toBeUndefined();
    expect(res.extensions?.warnings).toBeUndefined();
    expect(res.data.createDeployment).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'nginx-deployment', namespace: 'default', labels: { app: 'nginx' } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'nginx' } },
        template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } },
      },
    });
    const listed = await api.ok(`{ deployments(namespace: "default", labelSelector: "app=nginx") { edges { node { metadata { name } } } } }`);
    expect(listed.deployments.edges).toEqual([{ node: { metadata: { name: 'nginx-deployment' } } }]);
  });

  // [what, spec overrides, field, message fragment]
  const invalid: Array<[string, Record<string, unknown>, string, string]> = [
    ['a selector that does not match the template', { template: TEMPLATE({ app: 'other' }) }, 'input.spec.template.metadata.labels', '`selector` does not match template `labels`'],
    ['no selector', { selector: undefined }, 'input.spec.selector', 'Required value'],
    ['an empty selector', { selector: {} }, 'input.spec.selector', 'empty selector is invalid'],
    ['a bad selector operator', { selector: { matchExpressions: [{ key: 'app', operator: 'Is', values: ['web'] }] } }, 'input.spec.selector.matchExpressions[0].operator', 'not a valid selector operator'],
    ['no template', { template: undefined }, 'input.spec.template', 'Required value'],
    ['a template that may not restart', { template: TEMPLATE({ app: 'web' }, { restartPolicy: 'Never' }) }, 'input.spec.template.spec.restartPolicy', 'supported values: "Always"'],
    ['a template without containers', { template: TEMPLATE({ app: 'web' }, { containers: [] }) }, 'input.spec.template.spec.containers', 'Required value'],
    ['negative replicas', { replicas: -1 }, 'input.spec.replicas', 'must be greater than or equal to 0'],
    ['Recreate with rollingUpdate', { strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }, 'input.spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"],
    ['an unknown strategy', { strategy: { type: 'BlueGreen' } }, 'input.spec.strategy.type', 'Unsupported value: "BlueGreen"'],
    ['maxSurge and maxUnavailable both 0', { strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } }, 'input.spec.strategy.rollingUpdate.maxUnavailable', 'may not be 0 when `maxSurge` is 0'],
    ['a percentage without %', { strategy: { rollingUpdate: { maxSurge: '30' } } }, 'input.spec.strategy.rollingUpdate.maxSurge', "a valid percent string must be a numeric string followed by an ending '%'"],
    ['maxUnavailable over 100%', { strategy: { rollingUpdate: { maxUnavailable: '150%' } } }, 'input.spec.strategy.rollingUpdate.maxUnavailable', 'must not be greater than 100%'],
    ['a negative maxSurge', { strategy: { rollingUpdate: { maxSurge: -1 } } }, 'input.spec.strategy.rollingUpdate.maxSurge', 'must be greater than or equal to 0'],
    ['progressDeadlineSeconds not above minReadySeconds', { minReadySeconds: 30, progressDeadlineSeconds: 30 }, 'input.spec.progressDeadlineSeconds', 'must be greater than minReadySeconds'],
  ];
  it.each(invalid)('rejects %s with BAD_USER_INPUT naming the field, changing nothing', async (_what, spec, field, fragment) => {
    const error = await rejected(CREATE_DEPLOY, { i: WORKLOAD('bad', spec) });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.message).toContain(fragment);
  });

  it('its selector is immutable; other spec changes bump generation', async () => {
    const created = (await api.ok(CREATE_DEPLOY, { i: WORKLOAD('immutable') })).createDeployment;
    const changed = WORKLOAD('immutable', { selector: { matchLabels: { app: 'web', tier: 'front' } }, template: TEMPLATE({ app: 'web', tier: 'front' }) });
    const error = await rejected(`mutation($i: DeploymentInput!) { updateDeployment(input: $i) { metadata { name } } }`, { i: changed });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.spec.selector' });
    expect(error.message).toContain('field is immutable');
    const patched = await api.ok(`mutation { patchDeployment(namespace: "default", name: "immutable", patch: { spec: { replicas: 4 } }) { metadata { generation } spec { replicas } } }`);
    expect(patched.patchDeployment).toEqual({ metadata: { generation: created.metadata.generation + 1 }, spec: { replicas: 4 } });
  });
});

describe('ReplicaSet', () => {
  it('is typed in GraphQL, defaulted (replicas 1) and starts with status.replicas 0', async () => {
    await api.ok(CREATE_RS, { i: WORKLOAD('rs-typed', { replicas: undefined }) });
    const res = await api.ok(`{ replicaSet(namespace: "default", name: "rs-typed") {
      apiVersion spec { replicas selector { matchLabels matchExpressions { key } } template { metadata { labels } spec { containers { name image } } } }
      status { replicas readyReplicas } } }`);
    expect(res.replicaSet).toEqual({
      apiVersion: 'apps/v1',
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' }, matchExpressions: null }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } },
      status: { replicas: 0, readyReplicas: null },
    });
  });

  it('matches the template with matchExpressions too', async () => {
    const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] };
    await api.ok(CREATE_RS, { i: WORKLOAD('rs-expr', { selector, template: TEMPLATE({ app: 'web', tier: 'back' }) }) });
    const error = await rejected(CREATE_RS, { i: WORKLOAD('rs-expr2', { selector, template: TEMPLATE({ app: 'web', tier: 'middle' }) }) });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.spec.template.metadata.labels' });
    expect(error.message).toContain('`selector` does not match template `labels`');
  });

  it('rejects a selector that does not match the template, naming spec.template.metadata.labels', async () => {
    const error = await rejected(CREATE_RS, { i: WORKLOAD('rs-mismatch', { template: TEMPLATE({ app: 'api' }) }) });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.spec.template.metadata.labels' });
    expect(error.message).toContain('`selector` does not match template `labels`');
  });

  it('its selector is immutable (apps/v1), by patch as by update', async () => {
    await api.ok(CREATE_RS, { i: WORKLOAD('rs-immutable') });
    const error = await rejected(
      `mutation($p: JSON!) { patchReplicaSet(namespace: "default", name: "rs-immutable", patch: $p) { metadata { name } } }`,
      { p: { spec: { selector: { matchLabels: { app: 'web', v: '2' } }, template: { metadata: { labels: { app: 'web', v: '2' } } } } } },
    );
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'patch.spec.selector' });
    const templateOnly = await api.ok(
      `mutation($p: JSON!) { patchReplicaSet(namespace: "default", name: "rs-immutable", patch: $p) { metadata { generation } spec { template { metadata { labels } } } } }`,
      { p: { spec: { template: { metadata: { labels: { app: 'web', v: '2' } } } } } },
    );
    expect(templateOnly.patchReplicaSet).toEqual({ metadata: { generation: 2 }, spec: { template: { metadata: { labels: { app: 'web', v: '2' } } } } });
  });

  it('its status is written with updateReplicaSetStatus and checked against its shape', async () => {
    await api.ok(CREATE_RS, { i: WORKLOAD('rs-status') });
    const res = await api.ok(`mutation { updateReplicaSetStatus(namespace: "default", name: "rs-status", status: { replicas: 1, readyReplicas: 1, observedGeneration: 1, conditions: [{ type: "ReplicaFailure", status: "False", lastTransitionTime: "2024-05-01T10:00:00Z" }] }) { status { replicas readyReplicas observedGeneration conditions { type status lastTransitionTime } } } }`);
    expect(res.updateReplicaSetStatus.status.conditions).toEqual([{ type: 'ReplicaFailure', status: 'False', lastTransitionTime: '2024-05-01T10:00:00Z' }]);
    const error = await rejected(`mutation { updateReplicaSetStatus(namespace: "default", name: "rs-status", status: { readyReplicas: -1 }) { metadata { name } } }`, {});
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'status.readyReplicas' });
  });
});

describe('Endpoints', () => {
  const CREATE_EP = `mutation($i: EndpointsInput!) { createEndpoints(input: $i) { kind metadata { name } subsets { addresses { ip hostname nodeName targetRef { kind name namespace uid } } notReadyAddresses { ip } ports { name port protocol appProtocol } } } }`;
  const EP = (subsets: unknown[]) => ({ metadata: { name: 'web' }, subsets });

  it('is its own plural (endpoints / endpointsList), with subsets typed and ports defaulted to TCP', async () => {
    const subsets = [
      {
        addresses: [{ ip: '10.128.0.5', nodeName: 'node-a', targetRef: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1' } }],
        notReadyAddresses: [{ ip: '10.128.1.7' }],
        ports: [{ name: 'http', port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }],
      },
    ];
    const res = await api.ok(CREATE_EP, { i: EP(subsets) });
    expect(res.createEndpoints).toEqual({
      kind: 'Endpoints',
      metadata: { name: 'web' },
      subsets: [
        {
          addresses: [{ ip: '10.128.0.5', hostname: null, nodeName: 'node-a', targetRef: { kind: 'Pod', name: 'web-1', namespace: 'default', uid: 'u1' } }],
          notReadyAddresses: [{ ip: '10.128.1.7' }],
          ports: [
            { name: 'http', port: 80, protocol: 'TCP', appProtocol: null },
            { name: 'dns', port: 53, protocol: 'UDP', appProtocol: null },
          ],
        },
      ],
    });
    const got = await api.ok(`{ endpoints(namespace: "default", name: "web") { subsets { ports { protocol } } } endpointsList(namespace: "default") { edges { node { metadata { name } } } } }`);
    expect(got.endpoints.subsets[0].ports.map((p: { protocol: string }) => p.protocol)).toEqual(['TCP', 'UDP']);
    expect(got.endpointsList.edges).toEqual([{ node: { metadata: { name: 'web' } } }]);
  });

  it('accepts an Endpoints with no subsets (a service with no ready pods)', async () => {
    const res = await api.ok(`mutation { createEndpoints(input: { metadata: { name: "empty" } }) { metadata { name } subsets { ports { port } } } }`);
    expect(res.createEndpoints).toEqual({ metadata: { name: 'empty' }, subsets: null });
  });

  const invalid: Array<[string, unknown[], string, string]> = [
    ['an address that is not an IPv4 address', [{ addresses: [{ ip: '10.0.0.300' }], ports: [{ port: 80 }] }], 'input.subsets[0].addresses[0].ip', 'must be a valid IPv4 address'],
    ['a loopback address', [{ addresses: [{ ip: '127.0.0.1' }] }], 'input.subsets[0].addresses[0].ip', 'loopback'],
    ['an address without ip', [{ notReadyAddresses: [{ hostname: 'a' }] }], 'input.subsets[0].notReadyAddresses[0].ip', 'Required value'],
    ['a subset without addresses', [{ ports: [{ port: 80 }] }], 'input.subsets[0]', 'must specify `addresses` or `notReadyAddresses`'],
    ['a port out of range', [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 0 }] }], 'input.subsets[0].ports[0].port', 'must be greater than or equal to 1'],
    ['two ports, one unnamed', [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ name: 'a', port: 80 }, { port: 81 }] }], 'input.subsets[0].ports[1].name', 'Required value'],
    ['a bad protocol', [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80, protocol: 'HTTP' }] }], 'input.subsets[0].ports[0].protocol', 'Unsupported value'],
    ['a hostname that is not a DNS label', [{ addresses: [{ ip: '10.0.0.1', hostname: 'a.b' }] }], 'input.subsets[0].addresses[0].hostname', 'must not contain dots'],
  ];
  it.each(invalid)('rejects %s, naming the field and changing nothing', async (_what, subsets, field, fragment) => {
    const error = await rejected(CREATE_EP, { i: { metadata: { name: 'bad' }, subsets } });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.message).toContain(fragment);
  });
});

describe('Lease', () => {
  it('lives in kube-node-lease, keeps microsecond times, and is renewed with updateLease', async () => {
    const spec = { holderIdentity: 'node-a', leaseDurationSeconds: 40, acquireTime: '2024-05-01T10:00:00.000000Z', renewTime: '2024-05-01T10:00:00.123456Z', leaseTransitions: 0 };
    const created = await api.ok(
      `mutation($i: LeaseInput!) { createLease(input: $i) { apiVersion metadata { namespace generation } spec { holderIdentity leaseDurationSeconds acquireTime renewTime leaseTransitions } } }`,
      { i: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'node-a', namespace: 'kube-node-lease' }, spec } },
    );
    expect(created.createLease).toEqual({ apiVersion: 'coordination.k8s.io/v1', metadata: { namespace: 'kube-node-lease', generation: 1 }, spec });
    const renewed = await api.ok(
      `mutation($i: LeaseInput!) { updateLease(input: $i) { metadata { generation } spec { renewTime } } }`,
      { i: { metadata: { name: 'node-a', namespace: 'kube-node-lease' }, spec: { ...spec, renewTime: '2024-05-01T10:00:10.654321Z' } } },
    );
    expect(renewed.updateLease).toEqual({ metadata: { generation: 2 }, spec: { renewTime: '2024-05-01T10:00:10.654321Z' } });
    const listed = await api.ok(`{ leases(namespace: "kube-node-lease") { edges { node { metadata { name } } } } }`);
    expect(listed.leases.edges).toEqual([{ node: { metadata: { name: 'node-a' } } }]);
  });

  it.each([
    ['a lease duration of 0', { leaseDurationSeconds: 0 }, 'input.spec.leaseDurationSeconds', 'must be greater than 0'],
    ['negative transitions', { leaseTransitions: -1 }, 'input.spec.leaseTransitions', 'must be greater than or equal to 0'],
    ['a renewTime that is not RFC 3339', { renewTime: '2024-05-01 10:00:00' }, 'input.spec.renewTime', 'RFC 3339'],
  ])('rejects %s', async (_what, spec, field, fragment) => {
    const error = await rejected(`mutation($i: LeaseInput!) { createLease(input: $i) { metadata { name } } }`, { i: { metadata: { name: 'bad', namespace: 'kube-node-lease' }, spec } });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.message).toContain(fragment);
  });
});

describe('ResourceQuota', () => {
  const CREATE_QUOTA = `mutation($i: ResourceQuotaInput!) { createResourceQuota(input: $i) { metadata { name } spec { hard scopes } status { hard used } } }`;

  it('takes hard limits as quantities (strings or numbers) and its status from updateResourceQuotaStatus', async () => {
    const hard = { pods: '10', 'requests.cpu': '4', 'limits.memory': '8Gi', 'count/deployments.apps': 5 };
    const res = await api.ok(CREATE_QUOTA, { i: { metadata: { name: 'compute' }, spec: { hard } } });
    // Quantities come back canonical and as strings, as the API server writes them.
    expect(res.createResourceQuota).toEqual({ metadata: { name: 'compute' }, spec: { hard: { ...hard, 'count/deployments.apps': '5' }, scopes: null }, status: null });
    const st = await api.ok(`mutation($s: JSON!) { updateResourceQuotaStatus(namespace: "default", name: "compute", status: $s) { status { hard used } } }`, {
      s: { hard, used: { pods: '2', 'requests.cpu': '500m' } },
    });
    expect(st.updateResourceQuotaStatus.status.used).toEqual({ pods: '2', 'requests.cpu': '500m' });
    const scoped = await api.ok(CREATE_QUOTA, { i: { metadata: { name: 'best-effort' }, spec: { hard: { pods: 3 }, scopes: ['BestEffort'] } } });
    expect(scoped.createResourceQuota.spec.scopes).toEqual(['BestEffort']);
  });

  it.each([
    ['a malformed quantity', { hard: { 'requests.cpu': 'lots' } }, 'input.spec.hard["requests.cpu"]', 'quantities must match'],
    ['a negative quantity', { hard: { memory: '-1Gi' } }, 'input.spec.hard.memory', 'must be greater than or equal to 0'],
    ['a fractional pod count', { hard: { pods: '1.5' } }, 'input.spec.hard.pods', 'must be an integer'],
    ['an unknown resource', { hard: { widgets: '3' } }, 'input.spec.hard.widgets', 'must be a standard resource for quota'],
    ['an unknown scope', { hard: { pods: '3' }, scopes: ['Sometimes'] }, 'input.spec.scopes', 'unsupported scope'],
    ['conflicting scopes', { hard: { pods: '3' }, scopes: ['Terminating', 'NotTerminating'] }, 'input.spec.scopes', 'conflicting scopes'],
    ['BestEffort on cpu', { hard: { cpu: '3' }, scopes: ['BestEffort'] }, 'input.spec.scopes', 'unsupported scope applied to resource'],
  ])('rejects %s', async (_what, spec, field, fragment) => {
    const error = await rejected(CREATE_QUOTA, { i: { metadata: { name: 'bad' }, spec } });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.message).toContain(fragment);
  });
});
