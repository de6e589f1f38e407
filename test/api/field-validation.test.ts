/**
 * Strict field validation, as kubectl 1.32 asks of the API server (fieldValidation=Strict): a field
 * Kubernetes' OpenAPI schema does not declare is BAD_USER_INPUT naming it (with the field it most
 * likely meant), a Kubernetes field Kubeql keeps without acting on it is a warning, and
 * `fieldValidation: Warn | Ignore` drop undeclared fields as Kubernetes does. Every refusal leaves
 * the log unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, snapshotTables, type TestApi } from '../support/api.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const CREATE_DEPLOYMENT = `mutation($i: DeploymentInput!, $v: FieldValidation) { createDeployment(input: $i, fieldValidation: $v) { metadata { name } manifest } }`;
const CREATE_POD = `mutation($i: PodInput!, $v: FieldValidation) { createPod(input: $i, fieldValidation: $v) { metadata { name } manifest } }`;
const APPLY = `mutation($m: String!, $v: FieldValidation) { apply(manifests: $m, fieldValidation: $v) { objects { kind name action } warnings } }`;

const deployment = (name: string, spec: Record<string, unknown> = {}, container: Record<string, unknown> = {}) => ({
  metadata: { name },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25', ...container }] } },
    ...spec,
  },
});

/** Runs `write`, expects BAD_USER_INPUT with `extensions` matching, and that nothing was written. */
async function refused(query: string, variables: Record<string, unknown>, extensions: Record<string, unknown>, message?: RegExp) {
  const before = snapshotTables(api.db());
  const res = await api.gql(query, variables);
  expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', ...extensions });
  if (message) expect(res.errors?.[0].message).toMatch(message);
  expect(snapshotTables(api.db())).toBe(before);
  return res;
}

describe('strict field validation (the default)', () => {
  it('spec.replica is refused naming the field, with "did you mean spec.replicas"', async () => {
    const i = deployment('typo-replica');
    (i.spec as Record<string, unknown>).replica = 3;
    await refused(CREATE_DEPLOYMENT, { i }, { field: 'input.spec.replica', didYouMean: 'input.spec.replicas' }, /unknown field "spec\.replica", did you mean "spec\.replicas"\?/);
  });

  it('imagePullPolice in an applied manifest names the document and the container', async () => {
    const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: { name: typo-pull }
spec:
  selector: { matchLabels: { app: typo-pull } }
  template:
    metadata: { labels: { app: typo-pull } }
    spec:
      containers:
      - name: c
        image: nginx:1.25
        imagePullPolice: Always
`;
    await refused(APPLY, { m: manifest }, {
      field: 'manifests[0].spec.template.spec.containers[0].imagePullPolice',
      didYouMean: 'manifests[0].spec.template.spec.containers[0].imagePullPolicy',
    });
  });

  it('contianers is named before the missing containers it causes', async () => {
    await refused(CREATE_POD, { i: { metadata: { name: 'typo-containers' }, spec: { contianers: [{ name: 'c', image: 'i' }] } } }, {
      field: 'input.spec.contianers',
      didYouMean: 'input.spec.containers',
    });
  });

  it('every undeclared field is listed, in document order; one with nothing close has no suggestion', async () => {
    const i = { metadata: { name: 'typo-many' }, spec: { flavour: 'vanilla', ...deployment('typo-many', {}, { imagePullPolice: 'Always' }).spec } };
    const res = await refused(CREATE_DEPLOYMENT, { i }, { field: 'input.spec.flavour' });
    expect(res.errors?.[0].extensions?.didYouMean).toBeUndefined();
    expect(res.errors?.[0].extensions?.errors.map((e: { field: string }) => e.field)).toEqual([
      'input.spec.flavour',
      'input.spec.template.spec.containers[0].imagePullPolice',
    ]);
  });

  it('a misspelt metadata field in a manifest is refused too', async () => {
    await refused(APPLY, { m: 'apiVersion: v1\nkind: ConfigMap\n' }, {}); // not a kind Kubeql serves: refused before any schema
    await refused(APPLY, { m: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: typo-meta\n  lables: { a: b }\n' }, {
      field: 'manifests[0].metadata.lables',
      didYouMean: 'manifests[0].metadata.labels',
    });
  });

  it('a value of the wrong type teaches nothing: the fields under that position are judged as before', async () => {
    const pod = (name: string, spec: Record<string, unknown>) => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } });
    // A list where an object belongs: refused for its type.
    await refused(CREATE_POD, { i: pod('wrong-type', { affinity: [] }) }, { field: 'input.spec.affinity' });
    // Afterwards a real affinity is still accepted, and a misspelt one still refused.
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } };
    await api.ok(CREATE_POD, { i: pod('after-wrong', { affinity }) });
    await refused(CREATE_POD, { i: pod('after-wrong-typo', { affinity: { nodeAffinitty: {} } }) }, { field: 'input.spec.affinity.nodeAffinitty', didYouMean: 'input.spec.affinity.nodeAffinity' });
    // An object where a list belongs is named as such, not as a bag of undeclared fields.
    await refused(CREATE_POD, { i: { metadata: { name: 'obj-for-list' }, spec: { containers: { name: 'c', image: 'i' } } } }, { field: 'input.spec.containers' });
  });

  it('a patch that adds an undeclared field is refused', async () => {
    await api.ok(CREATE_DEPLOYMENT, { i: deployment('typo-patch') });
    await refused(`mutation { patchDeployment(namespace: "default", name: "typo-patch", patch: { spec: { replica: 2 } }) { metadata { name } } }`, {}, {
      field: 'patch.spec.replica',
      didYouMean: 'patch.spec.replicas',
    });
  });

  it('Kubernetes fields Kubeql keeps without acting on them are stored verbatim with a warning', async () => {
    const spec = {
      containers: [{ name: 'c', image: 'i', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      hostAliases: [{ ip: '127.0.0.1', hostnames: ['foo.local'] }],
      volumes: [{ name: 'data', emptyDir: {} }],
    };
    const res = await api.gql(CREATE_POD, { i: { metadata: { name: 'real-fields' }, spec } });
    expect(res.errors).toBeUndefined();
    expect(res.data.createPod.manifest.spec.hostAliases).toEqual(spec.hostAliases);
    expect(res.data.createPod.manifest.spec.volumes).toEqual(spec.volumes);
    expect(res.extensions?.warnings).toEqual([
      'unknown field "spec.containers[0].volumeMounts"',
      'unknown field "spec.hostAliases"',
      'unknown field "spec.volumes"',
    ]);
  });

  it('a free-form field (a quantity map, annotations) takes any key', async () => {
    const spec = { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '100m', 'example.com/gpu': '1' } } }] };
    const res = await api.gql(CREATE_POD, { i: { metadata: { name: 'free-form', annotations: { anything: 'goes' } }, spec } });
    expect(res.errors).toBeUndefined();
    expect(res.extensions?.warnings).toBeUndefined();
  });
});

describe('fieldValidation: Warn and Ignore', () => {
  it('Warn drops the undeclared field and says so; the real fields stay', async () => {
    const i = deployment('warn-typo', { replica: 3 });
    const res = await api.gql(CREATE_DEPLOYMENT, { i, v: 'Warn' });
    expect(res.errors).toBeUndefined();
    expect(res.data.createDeployment.manifest.spec.replica).toBeUndefined();
    expect(res.data.createDeployment.manifest.spec.replicas).toBe(1);
    expect(res.extensions?.warnings).toEqual(['unknown field "spec.replica", did you mean "spec.replicas"? (not a Kubernetes field: dropped)']);
  });

  it('Ignore drops it silently', async () => {
    const res = await api.gql(CREATE_POD, { i: { metadata: { name: 'ignore-typo' }, spec: { containers: [{ name: 'c', image: 'i', imagePullPolice: 'Never' }] } }, v: 'Ignore' });
    expect(res.errors).toBeUndefined();
    expect(res.data.createPod.manifest.spec.containers[0].imagePullPolice).toBeUndefined();
    expect(res.extensions?.warnings).toBeUndefined();
  });

  it('patch takes it too, with each patch type', async () => {
    await api.ok(CREATE_DEPLOYMENT, { i: deployment('warn-patch') });
    const PATCH = `mutation($p: JSON!, $t: PatchType, $v: FieldValidation) { patchDeployment(namespace: "default", name: "warn-patch", patch: $p, type: $t, fieldValidation: $v) { manifest } }`;
    const strict = await api.gql(PATCH, { p: { spec: { replica: 2 } }, t: 'STRATEGIC' });
    expect(strict.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'patch.spec.replica', didYouMean: 'patch.spec.replicas' });
    const warned = await api.gql(PATCH, { p: [{ op: 'add', path: '/spec/replica', value: 2 }], t: 'JSON', v: 'Warn' });
    expect(warned.errors).toBeUndefined();
    expect(warned.data.patchDeployment.manifest.spec.replica).toBeUndefined();
    expect(warned.extensions?.warnings).toEqual(['unknown field "spec.replica", did you mean "spec.replicas"? (not a Kubernetes field: dropped)']);
  });

  it('apply takes the same argument', async () => {
    const m = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: warn-apply\n  lables: { a: b }\n';
    const res = await api.ok(APPLY, { m, v: 'Warn' });
    expect(res.apply.objects).toEqual([{ kind: 'Namespace', name: 'warn-apply', action: 'created' }]);
    expect(res.apply.warnings).toEqual(['manifests[0]: unknown field "metadata.lables", did you mean "metadata.labels"? (not a Kubernetes field: dropped)']);
  });

  it('an unknown value of the argument is refused by GraphQL', async () => {
    const res = await api.gql(CREATE_POD, { i: { metadata: { name: 'x' }, spec: { containers: [{ name: 'c', image: 'i' }] } }, v: 'Lenient' });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('integers in Kubernetes ranges (int32 where Kubernetes says int32)', () => {
  it('replicas: 1e308 is refused naming spec.replicas (it used to start thousands of pods)', async () => {
    await refused(CREATE_DEPLOYMENT, { i: deployment('huge', { replicas: 1e308 }) }, { field: 'input.spec.replicas' }, /int32/);
    await refused(CREATE_DEPLOYMENT, { i: deployment('huge', { replicas: 2 ** 31 }) }, { field: 'input.spec.replicas' });
    await api.ok(CREATE_DEPLOYMENT, { i: deployment('int32-max', { replicas: 2 ** 31 - 1, paused: true }) });
  });

  it('an int32 deep in a pod template (a container port, a probe) is checked too', async () => {
    await refused(CREATE_DEPLOYMENT, { i: deployment('deep-int', {}, { readinessProbe: { periodSeconds: 2 ** 40, tcpSocket: { port: 80 } } }) }, {
      field: 'input.spec.template.spec.containers[0].readinessProbe.periodSeconds',
    });
  });

  it('an int64 beyond what a JSON number carries exactly is refused', async () => {
    await refused(CREATE_POD, { i: { metadata: { name: 'int64' }, spec: { terminationGracePeriodSeconds: 1e20, containers: [{ name: 'c', image: 'i' }] } } }, {
      field: 'input.spec.terminationGracePeriodSeconds',
    });
  });

  it('scale takes an int32 too', async () => {
    await api.ok(CREATE_DEPLOYMENT, { i: deployment('scale-range', { paused: true }) });
    const res = await api.gql(`mutation { scaleDeployment(namespace: "default", name: "scale-range", replicas: 2147483647) { spec { replicas } } }`);
    expect(res.errors).toBeUndefined();
  });
});

describe('defaults as decoding does', () => {
  it("a pod template's metadata.creationTimestamp: null is dropped, so the same template is the same template", async () => {
    // What `kubectl create deployment --dry-run=client -o yaml` writes.
    const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  creationTimestamp: null
  labels: { app: dry }
  name: dry
spec:
  replicas: 1
  selector: { matchLabels: { app: dry } }
  strategy: {}
  template:
    metadata:
      creationTimestamp: null
      labels: { app: dry }
    spec:
      containers:
      - image: nginx
        name: nginx
        resources: {}
status: {}
`;
    await api.ok(APPLY, { m: manifest });
    const got = await api.ok(`{ deployment(namespace: "default", name: "dry") { manifest } }`);
    expect(got.deployment.manifest.spec.template.metadata).toEqual({ labels: { app: 'dry' } });
    expect('creationTimestamp' in got.deployment.manifest.metadata).toBe(true); // the server's own
    const again = await api.ok(APPLY, { m: manifest });
    expect(again.apply.objects[0].action).toBe('unchanged');
  });
});

describe('what Kubernetes accepts and defaults', () => {
  it('targetPort: 0 (and "") defaults to the port', async () => {
    const res = await api.ok(`mutation { createService(input: { metadata: { name: "zero-target" }, spec: { ports: [{ name: "a", port: 80, targetPort: 0 }, { name: "b", port: 81, targetPort: "" }, { name: "c", port: 82, targetPort: "web" }] } }) { manifest } }`);
    expect(res.createService.manifest.spec.ports.map((p: { targetPort: unknown }) => p.targetPort)).toEqual([80, 81, 'web']);
  });

  it('quantities come back canonical, with the value kept exactly', async () => {
    const resources = { requests: { cpu: 0.5, memory: '1024Mi', 'example.com/gpu': '1' }, limits: { cpu: '1.5', memory: '1.5Gi', 'ephemeral-storage': '1000M' } };
    const res = await api.ok(CREATE_POD, { i: { metadata: { name: 'canonical' }, spec: { containers: [{ name: 'c', image: 'i', resources }] } } });
    expect(res.createPod.manifest.spec.containers[0].resources).toEqual({
      requests: { cpu: '500m', memory: '1Gi', 'example.com/gpu': '1' },
      limits: { cpu: '1500m', memory: '1536Mi', 'ephemeral-storage': '1G' },
    });
  });

  it('relaxed env var names (Kubernetes 1.32 default) and good port names are accepted', async () => {
    const spec = { containers: [{ name: 'c', image: 'i', env: [{ name: 'my.env-name', value: 'a' }, { name: '0 a', value: 'b' }], ports: [{ containerPort: 80, name: 're-mail-ck' }] }] };
    await api.ok(CREATE_POD, { i: { metadata: { name: 'relaxed-env' }, spec } });
  });
});

describe('canonical quantities and apply', () => {
  it('a manifest with non-canonical quantities re-applies unchanged', async () => {
    const m = `apiVersion: v1
kind: Pod
metadata: { name: q-apply }
spec:
  containers:
  - name: c
    image: i
    resources:
      requests: { cpu: 0.5, memory: 1024Mi }
      limits: { cpu: "1", memory: 1.5Gi }
`;
    expect((await api.ok(APPLY, { m })).apply.objects[0].action).toBe('created');
    expect((await api.ok(APPLY, { m })).apply.objects[0].action).toBe('unchanged');
    const got = await api.ok(`{ pod(namespace: "default", name: "q-apply") { manifest } }`);
    expect(got.pod.manifest.spec.containers[0].resources).toEqual({ requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1536Mi' } });
  });
});
