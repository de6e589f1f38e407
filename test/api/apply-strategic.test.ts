/**
 * apply merges as kubectl does for built-in kinds (strategic merge patch): round trips in which a
 * second writer (a `kubectl set env`, an injector, an operator) changes lists of the object between
 * two applies, and its changes are kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotTables, startTestApi, type TestApi } from '../support/api.js';
import { NGINX_DEPLOYMENT } from '../support/manifests.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const APPLY = `mutation($m: String!) { apply(manifests: $m) { revision objects { kind name action revision } warnings } }`;
const applyOk = async (manifests: string) => (await api.ok(APPLY, { m: manifests })).apply;
const head = async () => (await api.ok('{ revision }')).revision as number;
const deployment = async (name: string) =>
  (await api.ok(`query($n: String!) { deployment(namespace: "default", name: $n) { manifest } }`, { n: name })).deployment.manifest;
const service = async (name: string) => (await api.ok(`query($n: String!) { service(namespace: "default", name: $n) { manifest } }`, { n: name })).service.manifest;

/** A second writer: a strategic merge patch, as `kubectl set env` or `kubectl patch` sends it. */
const patchDeployment = (name: string, patch: unknown) =>
  api.ok(`mutation($n: String!, $p: JSON!) { patchDeployment(namespace: "default", name: $n, patch: $p, type: STRATEGIC) { metadata { resourceVersion } } }`, { n: name, p: patch });

const nginx = (name: string) => NGINX_DEPLOYMENT.replace('name: nginx-deployment', `name: ${name}`);
const containerNamed = (d: any, name: string) => d.spec.template.spec.containers.find((c: { name: string }) => c.name === name);

describe('apply with strategic merge', () => {
  it('re-applying an unchanged Deployment keeps the env and resources another writer added, answers unchanged and appends nothing', async () => {
    await applyOk(nginx('set-env'));
    // kubectl set env deployment/set-env FOO=bar; kubectl set resources ... --limits=cpu=200m
    await patchDeployment('set-env', {
      spec: { template: { spec: { containers: [{ name: 'nginx', env: [{ name: 'FOO', value: 'bar' }], resources: { limits: { cpu: '200m' } } }] } } },
    });
    const before = await deployment('set-env');
    const h = await head();
    const tables = snapshotTables(api.db());

    const res = await applyOk(nginx('set-env'));
    expect(res.objects[0].action).toBe('unchanged');
    expect(await head()).toBe(h);
    expect(snapshotTables(api.db())).toBe(tables);
    const after = await deployment('set-env');
    expect(after).toEqual(before);
    expect(containerNamed(after, 'nginx').env).toEqual([{ name: 'FOO', value: 'bar' }]);
    expect(containerNamed(after, 'nginx').resources.limits).toEqual({ cpu: '200m' });
  });

  it('a changed manifest is configured and keeps a sidecar container and the env another writer added', async () => {
    await applyOk(nginx('sidecar'));
    await patchDeployment('sidecar', {
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'nginx', env: [{ name: 'INJECTED', value: '1' }] },
              { name: 'proxy', image: 'envoyproxy/envoy:v1.30' },
            ],
          },
        },
      },
    });
    const res = await applyOk(nginx('sidecar').replace('nginx:1.14.2', 'nginx:1.16.1'));
    expect(res.objects[0].action).toBe('configured');
    const after = await deployment('sidecar');
    expect(after.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(['nginx', 'proxy']);
    expect(containerNamed(after, 'nginx').image).toBe('nginx:1.16.1');
    expect(containerNamed(after, 'nginx').env).toEqual([{ name: 'INJECTED', value: '1' }]);
    expect(containerNamed(after, 'proxy').image).toBe('envoyproxy/envoy:v1.30');
    // And re-applying it again changes nothing.
    const h = await head();
    expect((await applyOk(nginx('sidecar').replace('nginx:1.14.2', 'nginx:1.16.1'))).objects[0].action).toBe('unchanged');
    expect(await head()).toBe(h);
  });

  // An element a patch adds to a merging list comes first, before the live ones (as the Kubernetes
  // documentation's "Update API Objects in Place Using kubectl patch" shows for a container), and
  // keeps its place across later applies.
  it('an env var dropped from the manifest is removed; the one another writer added and the ones still listed stay, in order', async () => {
    const withEnv = (names: string[]) =>
      nginx('env-drop').replace('        ports:\n', `        env:\n${names.map((n) => `        - name: ${n}\n          value: "${n.toLowerCase()}"\n`).join('')}        ports:\n`);
    await applyOk(withEnv(['A', 'B', 'C']));
    await patchDeployment('env-drop', { spec: { template: { spec: { containers: [{ name: 'nginx', env: [{ name: 'OTHER', value: 'kept' }] }] } } } });
    const res = await applyOk(withEnv(['A', 'C']));
    expect(res.objects[0].action).toBe('configured');
    const env = containerNamed(await deployment('env-drop'), 'nginx').env;
    expect(env).toEqual([
      { name: 'OTHER', value: 'kept' },
      { name: 'A', value: 'a' },
      { name: 'C', value: 'c' },
    ]);
  });

  it('a container port is merged by containerPort: another writer\'s port stays, a port dropped from the manifest goes', async () => {
    const ports = (list: number[]) => nginx('ports-merge').replace('        - containerPort: 80\n', list.map((p) => `        - containerPort: ${p}\n`).join(''));
    await applyOk(ports([80, 443]));
    await patchDeployment('ports-merge', { spec: { template: { spec: { containers: [{ name: 'nginx', ports: [{ containerPort: 9090, name: 'metrics' }] }] } } } });
    await applyOk(ports([80]));
    const after = containerNamed(await deployment('ports-merge'), 'nginx').ports;
    expect(after.map((p: { containerPort: number }) => p.containerPort)).toEqual([9090, 80]);
  });

  it("a Service port another writer added by port survives a re-apply; the manifest's own port changes", async () => {
    const svc = (targetPort: number) => `apiVersion: v1
kind: Service
metadata:
  name: merged-svc
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: ${targetPort}
`;
    await applyOk(svc(8080));
    await api.ok(`mutation($p: JSON!) { patchService(namespace: "default", name: "merged-svc", patch: $p, type: STRATEGIC) { metadata { name } } }`, {
      p: { spec: { ports: [{ name: 'metrics', port: 9090 }] } },
    });
    expect((await applyOk(svc(8080))).objects[0].action).toBe('unchanged');
    await applyOk(svc(8081));
    const ports = (await service('merged-svc')).spec.ports;
    expect(ports.map((p: { port: number; targetPort: number }) => [p.port, p.targetPort])).toEqual([
      [9090, 9090],
      [80, 8081],
    ]);
  });

  it('a list without a patch strategy (tolerations) is replaced whole when the manifest names it, as in Kubernetes', async () => {
    const withTolerations = (keys: string[]) =>
      nginx('tolerant').replace('      containers:\n', `      tolerations:\n${keys.map((k) => `      - key: ${k}\n        operator: Exists\n`).join('')}      containers:\n`);
    await applyOk(withTolerations(['a']));
    await patchDeployment('tolerant', { spec: { template: { spec: { tolerations: [{ key: 'a', operator: 'Exists' }, { key: 'injected', operator: 'Exists' }] } } } });
    await applyOk(withTolerations(['b']));
    expect((await deployment('tolerant')).spec.template.spec.tolerations).toEqual([{ key: 'b', operator: 'Exists' }]);
  });

  it('the strategy of a Deployment is retainKeys: switching to Recreate drops rollingUpdate', async () => {
    const strategy = (s: string) => nginx('recreate').replace('  selector:\n', `  strategy:\n${s}  selector:\n`);
    await applyOk(strategy('    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: 2\n'));
    expect((await deployment('recreate')).spec.strategy.rollingUpdate.maxSurge).toBe(2);
    const res = await applyOk(strategy('    type: Recreate\n'));
    expect(res.objects[0].action).toBe('configured');
    expect((await deployment('recreate')).spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('a manifest the merge cannot use (a container without its name, a list of mixed types) is BAD_USER_INPUT naming the document, and writes nothing', async () => {
    await applyOk(nginx('unmergeable'));
    const tables = snapshotTables(api.db());
    for (const bad of [
      nginx('unmergeable').replace('      - name: nginx\n        image: nginx:1.14.2\n', '      - image: nginx:1.14.2\n'),
      nginx('unmergeable').replace('        - containerPort: 80\n', '        - containerPort: 80\n        - 8080\n'),
    ]) {
      const res = await api.gql(APPLY, { m: `${nginx('other-doc')}---\n${bad}` });
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].extensions?.field).toBe('manifests[1]');
      expect(snapshotTables(api.db())).toBe(tables);
    }
  });
});
