import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_POD, POD, snapshotTables, startTestApi, type TestApi } from '../support/api.js';
import { NGINX_DEPLOYMENT } from '../support/manifests.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const APPLY = `mutation($m: String!, $d: Boolean, $r: String) {
  apply(manifests: $m, dryRun: $d, requestId: $r) { revision objects { kind namespace name action revision } warnings }
}`;
const apply = (manifests: string, options: { dryRun?: boolean; requestId?: string } = {}) =>
  api.gql(APPLY, { m: manifests, d: options.dryRun, r: options.requestId });
const applyOk = async (manifests: string, options: { dryRun?: boolean; requestId?: string } = {}) => {
  const res = await apply(manifests, options);
  if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  return res.data.apply;
};
const head = async () => (await api.ok('{ revision }')).revision as number;
const manifestOf = async (field: string, namespace: string, name: string) =>
  (await api.ok(`query($ns: String!, $n: String!) { ${field}(namespace: $ns, name: $n) { manifest } }`, { ns: namespace, n: name }))[field]?.manifest ?? null;
const pod = (name: string) => manifestOf('pod', 'default', name);
const service = (name: string) => manifestOf('service', 'default', name);

/** Asserts the request fails with `code` (and `field`) and leaves the log and every table as they were. */
async function rejects(manifests: string, code: string, field?: string, options: { dryRun?: boolean; requestId?: string } = {}) {
  const before = snapshotTables(api.db());
  const res = await apply(manifests, options);
  expect(res.errors?.length).toBe(1);
  expect(res.errors![0].extensions?.code).toBe(code);
  if (field) expect(res.errors![0].extensions?.field).toBe(field);
  expect(snapshotTables(api.db())).toBe(before);
  return res.errors![0];
}

const POD_YAML = (name: string, opts: { labels?: string; image?: string; extra?: string } = {}) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
${opts.labels ?? '    app: web'}
spec:
  containers:
  - name: app
    image: ${opts.image ?? 'nginx:1.25'}
${opts.extra ?? ''}`;

const SERVICE_YAML = (name: string, ports = '  - port: 80\n', extra = '') => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app: web
  ports:
${ports}${extra}`;


/** The Service of the Kubernetes documentation (concepts/services-networking/service), unedited. */
const DOCS_SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: my-service
spec:
  selector:
    app.kubernetes.io/name: MyApp
  ports:
    - protocol: TCP
      port: 80
      targetPort: 9376
`;

describe('apply', () => {
  it('creates the objects of several documents in order, stores the manifest as compact JSON in the annotation, with verb apply', async () => {
    const h = await head();
    const yaml = `---\n${POD_YAML('a1')}---\n# nothing but a comment\n---\n${SERVICE_YAML('a1-svc')}---\n`;
    const result = await applyOk(yaml);
    expect(result).toEqual({
      revision: h + 2,
      objects: [
        { kind: 'Pod', namespace: 'default', name: 'a1', action: 'created', revision: h + 1 },
        { kind: 'Service', namespace: 'default', name: 'a1-svc', action: 'created', revision: h + 2 },
      ],
      warnings: [],
    });
    expect(await head()).toBe(h + 2);
    const stored = await pod('a1');
    expect(stored.metadata.annotations[LAST_APPLIED]).toBe(
      '{"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"app":"web"},"name":"a1"},"spec":{"containers":[{"image":"nginx:1.25","name":"app"}]}}',
    );
    expect(stored.spec.restartPolicy).toBe('Always');
    const events = api.db().prepare(`SELECT kind, name, verb, type FROM events WHERE revision > ? ORDER BY revision`).all(h);
    expect(events).toEqual([
      { kind: 'Pod', name: 'a1', verb: 'apply', type: 'ADDED' },
      { kind: 'Service', name: 'a1-svc', verb: 'apply', type: 'ADDED' },
    ]);
  });

  it('the same manifests twice: the second answers unchanged for every object and appends nothing', async () => {
    const yaml = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: twice\n---\n${POD_YAML('t1')}---\n${SERVICE_YAML('t1-svc')}`;
    const first = await applyOk(yaml);
    expect(first.objects.map((o: { action: string }) => o.action)).toEqual(['created', 'created', 'created']);
    expect(first.objects[0].namespace).toBeNull();
    const before = snapshotTables(api.db());
    const second = await applyOk(yaml);
    expect(second).toEqual({
      revision: first.revision,
      objects: first.objects.map((o: object) => ({ ...o, action: 'unchanged' })),
      warnings: [],
    });
    expect(snapshotTables(api.db())).toBe(before);
  });

  it('three documents whose third is invalid write nothing and name the field in the third', async () => {
    const yaml = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: never\n---\n${POD_YAML('n1')}---\n${POD_YAML('n2', { image: '42' })}`;
    const error = await rejects(yaml, 'BAD_USER_INPUT', 'manifests[2].spec.containers[0].image');
    expect(error.message).toContain('must be a string');
    expect(await pod('n1')).toBeNull();
    expect((await api.ok('{ namespace(name: "never") { metadata { name } } }')).namespace).toBeNull();
  });

  it('a label added by patchPod survives a re-apply; a changed image is configured and keeps it', async () => {
    await applyOk(POD_YAML('p1'));
    await api.ok(`mutation { patchPod(namespace: "default", name: "p1", patch: { metadata: { labels: { patched: "yes" } } }) { metadata { name } } }`);
    const again = await applyOk(POD_YAML('p1'));
    expect(again.objects[0].action).toBe('unchanged');
    expect((await pod('p1')).metadata.labels).toEqual({ app: 'web', patched: 'yes' });
    const h = await head();
    const changed = await applyOk(POD_YAML('p1', { image: 'nginx:1.26' }));
    expect(changed.objects[0]).toMatchObject({ action: 'configured', revision: h + 1 });
    expect(changed.revision).toBe(h + 1);
    const stored = await pod('p1');
    expect(stored.spec.containers[0].image).toBe('nginx:1.26');
    expect(stored.metadata.labels).toEqual({ app: 'web', patched: 'yes' });
    expect(stored.metadata.generation).toBe(2);
  });

  it('a bound spec.nodeName survives a re-apply', async () => {
    await applyOk(POD_YAML('b1'));
    await api.ok(`mutation { bindPod(namespace: "default", name: "b1", nodeName: "node-a") { metadata { name } } }`);
    expect((await applyOk(POD_YAML('b1'))).objects[0].action).toBe('unchanged');
    expect((await applyOk(POD_YAML('b1', { image: 'nginx:1.26' }))).objects[0].action).toBe('configured');
    const stored = await pod('b1');
    expect(stored.spec).toMatchObject({ nodeName: 'node-a', containers: [{ image: 'nginx:1.26' }] });
  });

  it('fields removed from the manifest are removed: a label, an annotation, a service port, a spec field', async () => {
    await applyOk(POD_YAML('r1', { labels: '    app: web\n    tier: front' }).replace('  labels:', '  annotations:\n    note: hello\n  labels:'));
    expect((await pod('r1')).metadata.annotations.note).toBe('hello');
    const res = await applyOk(POD_YAML('r1'));
    expect(res.objects[0].action).toBe('configured');
    const stored = await pod('r1');
    expect(stored.metadata.labels).toEqual({ app: 'web' });
    expect(Object.keys(stored.metadata.annotations)).toEqual([LAST_APPLIED]);

    await applyOk(SERVICE_YAML('r1-svc', '  - name: http\n    port: 80\n  - name: https\n    port: 443\n', '  sessionAffinity: ClientIP\n'));
    const before = await service('r1-svc');
    expect(before.spec.ports).toHaveLength(2);
    expect(before.spec.sessionAffinity).toBe('ClientIP');
    await applyOk(SERVICE_YAML('r1-svc', '  - name: http\n    port: 80\n'));
    const after = await service('r1-svc');
    expect(after.spec.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }]);
    expect(after.spec.sessionAffinity).toBe('None'); // removed, so defaulted again
    expect(after.spec.clusterIP).toBe(before.spec.clusterIP);
  });

  it('a container port removed from a Deployment manifest is removed', async () => {
    const ports = `        ports:\n        - name: http\n          containerPort: 80\n        - name: metrics\n          containerPort: 9090\n`;
    await applyOk(NGINX_DEPLOYMENT.replace('nginx-deployment', 'ports-deploy').replace(/        ports:\n        - containerPort: 80\n/, ports));
    const before = await manifestOf('deployment', 'default', 'ports-deploy');
    expect(before.spec.template.spec.containers[0].ports.map((p: { name: string }) => p.name)).toEqual(['http', 'metrics']);
    const res = await applyOk(NGINX_DEPLOYMENT.replace('nginx-deployment', 'ports-deploy'));
    expect(res.objects[0].action).toBe('configured');
    const after = await manifestOf('deployment', 'default', 'ports-deploy');
    expect(after.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    expect(after.metadata.generation).toBe(2);
  });

  it("a Service's allocated clusterIP survives re-apply", async () => {
    await applyOk(SERVICE_YAML('ip-svc'));
    const allocated = (await service('ip-svc')).spec.clusterIP;
    expect(allocated).toMatch(/^10\.96\.\d+\.\d+$/);
    const changed = await applyOk(SERVICE_YAML('ip-svc', '  - port: 8080\n'));
    expect(changed.objects[0].action).toBe('configured');
    const stored = await service('ip-svc');
    expect(stored.spec.clusterIP).toBe(allocated);
    expect(stored.spec.clusterIPs).toEqual([allocated]);
    expect((await applyOk(SERVICE_YAML('ip-svc', '  - port: 8080\n'))).objects[0].action).toBe('unchanged');
  });

  it('an object created without apply: the manifest is merged onto it and nothing is removed', async () => {
    await api.ok(CREATE_POD, { i: POD('c1', { labels: { app: 'web', owner: 'ops' } }) });
    const res = await applyOk(POD_YAML('c1'));
    expect(res.objects[0].action).toBe('configured');
    const stored = await pod('c1');
    expect(stored.metadata.labels).toEqual({ app: 'web', owner: 'ops' });
    expect(stored.metadata.annotations[LAST_APPLIED]).toContain('"name":"c1"');
  });

  it('dryRun writes nothing and answers what the apply then does, revisions included', async () => {
    const yaml = `${POD_YAML('d1')}---\n${SERVICE_YAML('d1-svc')}`;
    const before = snapshotTables(api.db());
    const h = await head();
    const dry = await applyOk(yaml, { dryRun: true });
    expect(dry.objects.map((o: { action: string; revision: number }) => [o.action, o.revision])).toEqual([
      ['created', h + 1],
      ['created', h + 2],
    ]);
    expect(snapshotTables(api.db())).toBe(before);
    expect(await head()).toBe(h);
    expect(await applyOk(yaml)).toEqual(dry);

    const changed = `${POD_YAML('d1', { image: 'nginx:1.26' })}---\n${SERVICE_YAML('d1-svc')}`;
    const before2 = snapshotTables(api.db());
    const dry2 = await applyOk(changed, { dryRun: true });
    expect(dry2.objects.map((o: { action: string }) => o.action)).toEqual(['configured', 'unchanged']);
    expect(snapshotTables(api.db())).toBe(before2);
    expect(await applyOk(changed)).toEqual(dry2);
    // A dry run's errors are the real run's errors.
    await rejects(POD_YAML('d2', { image: '42' }), 'BAD_USER_INPUT', 'manifests[0].spec.containers[0].image', { dryRun: true });
  });

  it('a namespace and a pod in it in one request; in the other order the pod has no namespace and nothing is written', async () => {
    const ns = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n`;
    const podInShop = POD_YAML('cart').replace('  name: cart', '  name: cart\n  namespace: shop');
    await rejects(`${podInShop}---\n${ns}`, 'NOT_FOUND');
    const res = await applyOk(`${ns}---\n${podInShop}`);
    expect(res.objects).toMatchObject([
      { kind: 'Namespace', namespace: null, name: 'shop', action: 'created' },
      { kind: 'Pod', namespace: 'shop', name: 'cart', action: 'created' },
    ]);
    expect(await manifestOf('pod', 'shop', 'cart')).not.toBeNull();
  });

  it('a YAML syntax error names the document and the line', async () => {
    const yaml = `${POD_YAML('y1')}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: y2\n  labels: [a, b\nspec: {}\n`;
    const error = await rejects(yaml, 'BAD_USER_INPUT', 'manifests[1]');
    // The unclosed flow sequence opens on line 16; the parser finds it unclosed on line 17.
    expect(error.message).toBe('manifests[1]: YAML syntax error at line 17, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]');
    await rejects('a: 1\na: 2\n', 'BAD_USER_INPUT', 'manifests[0]');
  });

  it('generateName is refused, as kubectl does', async () => {
    const yaml = POD_YAML('x').replace('  name: x', '  generateName: web-');
    const error = await rejects(yaml, 'BAD_USER_INPUT', 'manifests[0].metadata.generateName');
    expect(error.message).toContain('generate name');
  });

  it('an unknown kind, a wrong apiVersion, a missing name or a document that is not an object is BAD_USER_INPUT naming it', async () => {
    const ok = POD_YAML('k1');
    await rejects(`${ok}---\napiVersion: v1\nkind: Gadget\nmetadata:\n  name: g\n`, 'BAD_USER_INPUT', 'manifests[1].kind');
    await rejects(`---\n---\n${ok}---\napiVersion: v1\nmetadata:\n  name: g\n`, 'BAD_USER_INPUT', 'manifests[1].kind');
    await rejects(ok.replace('apiVersion: v1', 'apiVersion: apps/v1'), 'BAD_USER_INPUT', 'manifests[0].apiVersion');
    await rejects(`${ok}---\n${ok.replace('apiVersion: v1\n', '')}`, 'BAD_USER_INPUT', 'manifests[1].apiVersion');
    await rejects(ok.replace('  name: k1\n', ''), 'BAD_USER_INPUT', 'manifests[0].metadata.name');
    await rejects(`${ok}---\n- just\n- a list\n`, 'BAD_USER_INPUT', 'manifests[1]');
    await rejects(`# nothing\n---\n`, 'BAD_USER_INPUT', 'manifests');
    expect(await pod('k1')).toBeNull();
  });

  it('metadata.resourceVersion in a manifest is a precondition', async () => {
    const first = await applyOk(POD_YAML('rv1'));
    const rv = first.objects[0].revision;
    await api.ok(`mutation { patchPod(namespace: "default", name: "rv1", patch: { metadata: { labels: { bump: "1" } } }) { metadata { name } } }`);
    const stale = POD_YAML('rv1', { image: 'nginx:1.26' }).replace('  name: rv1', `  name: rv1\n  resourceVersion: "${rv}"`);
    await rejects(stale, 'CONFLICT');
    const current = (await pod('rv1')).metadata.resourceVersion;
    const res = await applyOk(stale.replace(`"${rv}"`, `"${current}"`));
    expect(res.objects[0].action).toBe('configured');
  });

  it('unknown fields are kept verbatim and reported as warnings naming the document', async () => {
    const extra = `    livenessProbe:\n      httpGet:\n        path: /healthz\n        port: 8080\n  volumes:\n  - name: data\n    emptyDir: {}\n`;
    const res = await applyOk(`${SERVICE_YAML('w-svc')}---\n${POD_YAML('w1', { extra })}`);
    expect(res.warnings).toEqual(['manifests[1]: unknown field "spec.containers[0].livenessProbe"', 'manifests[1]: unknown field "spec.volumes"']);
    const stored = await pod('w1');
    expect(stored.spec.containers[0].livenessProbe).toEqual({ httpGet: { path: '/healthz', port: 8080 } });
    expect(stored.spec.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
  });

  it('a retry with a requestId seen before answers the first result and appends nothing', async () => {
    const yaml = `${POD_YAML('q1')}---\n${SERVICE_YAML('q1-svc')}`;
    // A dry run does not use up the request id.
    const dry = await applyOk(yaml, { requestId: 'apply-q1', dryRun: true });
    const first = await applyOk(yaml, { requestId: 'apply-q1' });
    expect(first).toEqual(dry);
    await api.ok(`mutation { patchPod(namespace: "default", name: "q1", patch: { metadata: { labels: { later: "x" } } }) { metadata { name } } }`);
    const before = snapshotTables(api.db());
    const retry = await applyOk(yaml, { requestId: 'apply-q1' });
    expect(retry).toEqual(first);
    expect(snapshotTables(api.db())).toBe(before);

    // Objects left unchanged by the first run are reported from the current state.
    await api.ok(`mutation { patchPod(namespace: "default", name: "q1", patch: { metadata: { labels: { later: null } } }) { metadata { name } } }`);
    const mixed = `${POD_YAML('q1', { image: 'nginx:1.26' })}---\n${SERVICE_YAML('q1-svc')}`;
    const firstMixed = await applyOk(mixed, { requestId: 'apply-q2' });
    expect(firstMixed.objects.map((o: { action: string }) => o.action)).toEqual(['configured', 'unchanged']);
    const h = await head();
    expect(await applyOk(mixed, { requestId: 'apply-q2' })).toEqual(firstMixed);
    expect(await head()).toBe(h);

    // A request id used by another mutation is not an apply's.
    await api.ok(CREATE_POD, { i: POD('q3'), r: 'create-q3' });
    await rejects(POD_YAML('q4'), 'CONFLICT', 'requestId', { requestId: 'create-q3' });
  });
  it('real manifests from the Kubernetes documentation apply unchanged, in one multi-document string', async () => {
    const h = await head();
    const res = await applyOk(`${NGINX_DEPLOYMENT}---\n${DOCS_SERVICE}`);
    expect(res).toEqual({
      revision: h + 2,
      objects: [
        { kind: 'Deployment', namespace: 'default', name: 'nginx-deployment', action: 'created', revision: h + 1 },
        { kind: 'Service', namespace: 'default', name: 'my-service', action: 'created', revision: h + 2 },
      ],
      warnings: [],
    });
    const deploy = await manifestOf('deployment', 'default', 'nginx-deployment');
    expect(deploy.spec).toMatchObject({ replicas: 3, selector: { matchLabels: { app: 'nginx' } }, strategy: { type: 'RollingUpdate' } });
    expect(deploy.spec.template.spec.containers[0]).toMatchObject({ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80, protocol: 'TCP' }] });
    const svc = await service('my-service');
    expect(svc.spec).toMatchObject({ selector: { 'app.kubernetes.io/name': 'MyApp' }, ports: [{ protocol: 'TCP', port: 80, targetPort: 9376 }] });
    const again = await applyOk(`${NGINX_DEPLOYMENT}---\n${DOCS_SERVICE}`);
    expect(again.objects.map((o: { action: string }) => o.action)).toEqual(['unchanged', 'unchanged']);
    expect(await head()).toBe(h + 2);
  });

  it('a manifest with fields Kubeql does not know comes back verbatim in manifest, with warnings', async () => {
    const probed = NGINX_DEPLOYMENT.replace('nginx-deployment', 'probed-deployment').replace(
      '        - containerPort: 80\n',
      `        - containerPort: 80
        livenessProbe:
          httpGet:
            path: /healthz
            port: 8080
            httpHeaders:
            - name: Custom-Header
              value: Awesome
          initialDelaySeconds: 3
          periodSeconds: 3
        volumeMounts:
        - name: cache-volume
          mountPath: /cache
      volumes:
      - name: cache-volume
        emptyDir:
          sizeLimit: 500Mi
`,
    );
    const res = await applyOk(`${DOCS_SERVICE.replace('my-service', 'probed-service')}---\n${probed}`);
    expect(res.warnings).toEqual([
      'manifests[1]: unknown field "spec.template.spec.containers[0].livenessProbe"',
      'manifests[1]: unknown field "spec.template.spec.containers[0].volumeMounts"',
      'manifests[1]: unknown field "spec.template.spec.volumes"',
    ]);
    const stored = await manifestOf('deployment', 'default', 'probed-deployment');
    const container = stored.spec.template.spec.containers[0];
    expect(container.livenessProbe).toEqual({
      httpGet: { path: '/healthz', port: 8080, httpHeaders: [{ name: 'Custom-Header', value: 'Awesome' }] },
      initialDelaySeconds: 3,
      periodSeconds: 3,
    });
    expect(container.volumeMounts).toEqual([{ name: 'cache-volume', mountPath: '/cache' }]);
    expect(stored.spec.template.spec.volumes).toEqual([{ name: 'cache-volume', emptyDir: { sizeLimit: '500Mi' } }]);
    expect(JSON.parse(stored.metadata.annotations[LAST_APPLIED]).spec.template.spec.volumes).toEqual(stored.spec.template.spec.volumes);
    // Re-applied, the unknown fields are still reported and nothing changes.
    const again = await applyOk(probed);
    expect(again.objects[0].action).toBe('unchanged');
    expect(again.warnings).toEqual(res.warnings.map((w: string) => w.replace('manifests[1]', 'manifests[0]')));
  });
});
