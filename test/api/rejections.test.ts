import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_POD, POD, snapshotTables, startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  await api.ok(CREATE_POD, { i: POD('existing', { labels: { app: 'web' } }) });
  await api.ok(`mutation { createPod(input: { metadata: { name: "held", finalizers: ["example.com/x"] }, spec: { containers: [{ name: "c", image: "i" }] } }) { metadata { name } } }`);
  await api.ok(`mutation { deletePod(namespace: "default", name: "held") { metadata { name } } }`);
});
afterAll(() => api.close());

const pod = (spec: unknown, metadata: Record<string, unknown> = { name: 'p' }) => ({ metadata, spec });

// [what, document, variables, code, field]
const cases: Array<[string, string, Record<string, unknown>, string, string?]> = [
  ['bad name', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i' }] }, { name: 'Not_Valid' }) }, 'BAD_USER_INPUT', 'input.metadata.name'],
  ['no name', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i' }] }, {}) }, 'BAD_USER_INPUT', 'input.metadata.name'],
  ['bad label key', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i' }] }, { name: 'p', labels: { 'bad key': 'v' } }) }, 'BAD_USER_INPUT', 'input.metadata.labels["bad key"]'],
  ['bad label value', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i' }] }, { name: 'p', labels: { k: 'v'.repeat(64) } }) }, 'BAD_USER_INPUT', 'input.metadata.labels.k'],
  ['missing spec', CREATE_POD, { i: { metadata: { name: 'p' } } }, 'BAD_USER_INPUT', 'input.spec'],
  ['no containers', CREATE_POD, { i: pod({ containers: [] }) }, 'BAD_USER_INPUT', 'input.spec.containers'],
  ['container without image', CREATE_POD, { i: pod({ containers: [{ name: 'c' }] }) }, 'BAD_USER_INPUT', 'input.spec.containers[0].image'],
  ['duplicate container names', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i' }, { name: 'c', image: 'i' }] }) }, 'BAD_USER_INPUT', 'input.spec.containers[1].name'],
  ['port out of range', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 70000 }] }] }) }, 'BAD_USER_INPUT', 'input.spec.containers[0].ports[0].containerPort'],
  ['bad restartPolicy', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i' }], restartPolicy: 'Sometimes' }) }, 'BAD_USER_INPUT', 'input.spec.restartPolicy'],
  ['bad quantity', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: 'lots' } } }] }) }, 'BAD_USER_INPUT', 'input.spec.containers[0].resources.requests.cpu'],
  ['wrong kind', CREATE_POD, { i: { kind: 'Service', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } } }, 'BAD_USER_INPUT', 'input.kind'],
  ['resourceVersion on create', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i' }] }, { name: 'p', resourceVersion: '3' }) }, 'BAD_USER_INPUT', 'input.metadata.resourceVersion'],
  ['missing namespace', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i' }] }, { name: 'p', namespace: 'ghost' }) }, 'NOT_FOUND'],
  ['already exists', CREATE_POD, { i: POD('existing') }, 'ALREADY_EXISTS'],
  ['stale resourceVersion', `mutation { patchPod(namespace: "default", name: "existing", patch: { metadata: { labels: { a: "b" } } }, resourceVersion: "1") { metadata { name } } }`, {}, 'CONFLICT'],
  ['patch of a missing object', `mutation { patchPod(namespace: "default", name: "ghost", patch: {}) { metadata { name } } }`, {}, 'NOT_FOUND'],
  ['patch that is not an object', `mutation { patchPod(namespace: "default", name: "existing", patch: [1]) { metadata { name } } }`, {}, 'BAD_USER_INPUT', 'patch'],
  ['patch renaming', `mutation { patchPod(namespace: "default", name: "existing", patch: { metadata: { name: "other" } }) { metadata { name } } }`, {}, 'BAD_USER_INPUT', 'patch.metadata.name'],
  ['patch with a bad label', `mutation($p: JSON!) { patchPod(namespace: "default", name: "existing", patch: $p) { metadata { name } } }`, { p: { metadata: { labels: { 'a/b/c': 'x' } } } }, 'BAD_USER_INPUT', 'patch.metadata.labels["a/b/c"]'],
  ['status of the wrong type', `mutation { updatePodStatus(namespace: "default", name: "existing", status: { podIP: 5 }) { metadata { name } } }`, {}, 'BAD_USER_INPUT', 'status.podIP'],
  ['update of a missing object', `mutation { updatePod(input: { metadata: { name: "ghost" }, spec: { containers: [{ name: "c", image: "i" }] } }) { metadata { name } } }`, {}, 'NOT_FOUND'],
  ['uid change', `mutation { updatePod(input: { metadata: { name: "existing", uid: "not-the-uid" }, spec: { containers: [{ name: "app", image: "nginx:1.25" }] } }) { metadata { name } } }`, {}, 'BAD_USER_INPUT', 'input.metadata.uid'],
  // ValidateObjectMetaAccessorUpdate's field.Forbidden is a validation error: 422 Invalid in Kubernetes.
  ['new finalizer on a deleting object', `mutation { patchPod(namespace: "default", name: "held", patch: { metadata: { finalizers: ["example.com/x", "example.com/y"] } }) { metadata { name } } }`, {}, 'BAD_USER_INPUT', 'patch.metadata.finalizers'],
  ['orphan and foregroundDeletion together', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i' }] }, { name: 'p', finalizers: ['orphan', 'foregroundDeletion'] }) }, 'BAD_USER_INPUT', 'input.metadata.finalizers'],
  ['ownerReference apiVersion with two slashes', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i' }] }, { name: 'p', ownerReferences: [{ apiVersion: 'apps/v1/extra', kind: 'ReplicaSet', name: 'r', uid: 'u' }] }) }, 'BAD_USER_INPUT', 'input.metadata.ownerReferences[0].apiVersion'],
  ['ownerReference apiVersion without a version', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i' }] }, { name: 'p', ownerReferences: [{ apiVersion: 'apps/', kind: 'ReplicaSet', name: 'r', uid: 'u' }] }) }, 'BAD_USER_INPUT', 'input.metadata.ownerReferences[0].apiVersion'],
  ['ownerReference without kind', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i' }] }, { name: 'p', ownerReferences: [{ apiVersion: 'apps/v1', kind: '', name: 'r', uid: 'u' }] }) }, 'BAD_USER_INPUT', 'input.metadata.ownerReferences[0].kind'],
  ['an Event as owner', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i' }] }, { name: 'p', ownerReferences: [{ apiVersion: 'v1', kind: 'Event', name: 'e', uid: 'u' }] }) }, 'BAD_USER_INPUT', 'input.metadata.ownerReferences[0]'],
  ['negative cpu request', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '-100m' } } }] }) }, 'BAD_USER_INPUT', 'input.spec.containers[0].resources.requests.cpu'],
  ['negative memory limit', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i', resources: { limits: { memory: -1 } } }] }) }, 'BAD_USER_INPUT', 'input.spec.containers[0].resources.limits.memory'],
  ['request above its limit', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] }) }, 'BAD_USER_INPUT', 'input.spec.containers[0].resources.requests.cpu'],
  ['quantity beyond 2^63-1', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i', resources: { requests: { memory: '10E' } } }] }) }, 'BAD_USER_INPUT', 'input.spec.containers[0].resources.requests.memory'],
  ['quantity with a huge exponent', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '1e2000000000' } } }] }) }, 'BAD_USER_INPUT', 'input.spec.containers[0].resources.requests.cpu'],
  ['env var name with =', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i', env: [{ name: 'A=B', value: 'x' }] }] }) }, 'BAD_USER_INPUT', 'input.spec.containers[0].env[0].name'],
  ['empty env var name', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i', env: [{ name: '', value: 'x' }] }] }) }, 'BAD_USER_INPUT', 'input.spec.containers[0].env[0].name'],
  ['container port name not an IANA service name', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, name: 'http_alt' }] }] }) }, 'BAD_USER_INPUT', 'input.spec.containers[0].ports[0].name'],
  ['container port name of digits', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, name: '8080' }] }] }) }, 'BAD_USER_INPUT', 'input.spec.containers[0].ports[0].name'],
  ['container port name over 15 characters', CREATE_POD, { i: pod({ containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, name: 'longerthan15chars' }] }] }) }, 'BAD_USER_INPUT', 'input.spec.containers[0].ports[0].name'],
  ['service targetPort name with two hyphens', `mutation { createService(input: { metadata: { name: "s" }, spec: { ports: [{ port: 80, targetPort: "web--http" }] } }) { metadata { name } } }`, {}, 'BAD_USER_INPUT', 'input.spec.ports[0].targetPort'],
  ['service targetPort out of range', `mutation { createService(input: { metadata: { name: "s" }, spec: { ports: [{ port: 80, targetPort: 70000 }] } }) { metadata { name } } }`, {}, 'BAD_USER_INPUT', 'input.spec.ports[0].targetPort'],
  ['delete with a stale resourceVersion', `mutation { deletePod(namespace: "default", name: "existing", resourceVersion: "2") { metadata { name } } }`, {}, 'CONFLICT'],
  ['negative grace period', `mutation { deletePod(namespace: "default", name: "existing", gracePeriodSeconds: -1) { metadata { name } } }`, {}, 'BAD_USER_INPUT', 'gracePeriodSeconds'],
  ['service without ports', `mutation { createService(input: { metadata: { name: "s" }, spec: {} }) { metadata { name } } }`, {}, 'BAD_USER_INPUT', 'input.spec.ports'],
  ['service IP outside the range', `mutation { createService(input: { metadata: { name: "s" }, spec: { clusterIP: "192.168.0.1", ports: [{ port: 80 }] } }) { metadata { name } } }`, {}, 'BAD_USER_INPUT', 'input.spec.clusterIP'],
  ['service name not DNS-1035', `mutation { createService(input: { metadata: { name: "1web" }, spec: { ports: [{ port: 80 }] } }) { metadata { name } } }`, {}, 'BAD_USER_INPUT', 'input.metadata.name'],
  ['node taint without effect', `mutation { createNode(input: { metadata: { name: "n" }, spec: { taints: [{ key: "k" }] } }) { metadata { name } } }`, {}, 'BAD_USER_INPUT', 'input.spec.taints[0].effect'],
  ['atRevision in the future', `{ pods(atRevision: 999999) { revision } }`, {}, 'BAD_USER_INPUT', 'atRevision'],
  ['bad Revision', `{ pods(atRevision: "abc") { revision } }`, {}, 'BAD_USER_INPUT'],
  ['bad Revision variable', `query($r: Revision) { pods(atRevision: $r) { revision } }`, { r: -4 }, 'BAD_USER_INPUT'],
  ['invalid document', `{ pods { nope } }`, {}, 'GRAPHQL_VALIDATION_FAILED'],
  ['unparsable document', `{ pods( }`, {}, 'GRAPHQL_PARSE_FAILED'],
];

describe('every rejected request has a code and leaves the log and every table unchanged', () => {
  it.each(cases)('%s', async (_what, document, variables, code, field) => {
    const before = snapshotTables(api.db());
    const res = await api.gql(document, variables);
    expect(res.errors?.length).toBeGreaterThan(0);
    expect(res.errors![0].extensions?.code).toBe(code);
    if (field) expect(res.errors![0].extensions?.field).toBe(field);
    expect(snapshotTables(api.db())).toBe(before);
  });
});

describe('a patch whose metadata.resourceVersion is not a string', () => {
  it.each([[{}], [[1]], [true]])('%j is BAD_USER_INPUT and changes nothing', async (rv) => {
    const before = snapshotTables(api.db());
    const res = await api.gql(`mutation($p: JSON!) { patchPod(namespace: "default", name: "existing", patch: $p) { metadata { name } } }`, { p: { metadata: { resourceVersion: rv } } });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(snapshotTables(api.db())).toBe(before);
  });
});
