/** The verbs the Kubernetes tutorials use, run as the real kq against a real server: outputs as kubectl prints them, bad input refused with nothing written. */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { kq as kqRaw, kqFor } from '../support/kq.js';

let api: TestApi;
let kq: ReturnType<typeof kqFor>;
let dir: string;

const get = async (field: string, name: string) => (await api.ok(`{ o: ${field}(namespace: "default", name: "${name}") { manifest } }`)).o?.manifest;
const head = async () => (await api.ok('{ revision }')).revision;

beforeAll(async () => {
  api = await startTestApi();
  kq = kqFor({ url: api.server.url, token: api.token });
  dir = mkdtempSync(join(tmpdir(), 'kq-tutorial-'));
});
afterAll(() => api.close());

describe('kq create deployment, run, expose', () => {
  it('create deployment NAME --image makes a Deployment labelled app=NAME with a container named after the image', async () => {
    const res = await kq.run(['create', 'deployment', 'hello', '--image=registry.k8s.io/e2e-test-images/agnhost:2.39', '--replicas=2', '--port=8080']);
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe('deployment.apps/hello created\n');
    const d = await get('deployment', 'hello');
    expect(d.metadata.labels).toEqual({ app: 'hello' });
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.selector).toEqual({ matchLabels: { app: 'hello' } });
    expect(d.spec.template.spec.containers).toMatchObject([{ name: 'agnhost', image: 'registry.k8s.io/e2e-test-images/agnhost:2.39', ports: [{ containerPort: 8080 }] }]);
  });

  it('refuses a deployment without an image, or with a bad replica count, writing nothing', async () => {
    const before = await head();
    const noImage = await kq.run(['create', 'deployment', 'x']);
    expect(noImage.code).toBe(1);
    expect(noImage.stderr).toContain('--image');
    const bad = await kq.run(['create', 'deployment', 'x', '--image=nginx', '--replicas=-1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--replicas must be a whole number');
    expect(await head()).toBe(before);
  });

  it('run NAME --image makes one pod labelled run=NAME', async () => {
    const res = await kq.run(['run', 'web', '--image=nginx:1.25', '--port=80', '--env=MODE=fast']);
    expect(res.stdout).toBe('pod/web created\n');
    const p = await get('pod', 'web');
    expect(p.metadata.labels).toEqual({ run: 'web' });
    expect(p.spec.containers).toMatchObject([{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }], env: [{ name: 'MODE', value: 'fast' }] }]);
    const bad = await kq.run(['run', 'other', '--image=nginx', '--restart=Sometimes']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--restart must be Always, OnFailure or Never');
  });

  it('expose makes a Service selecting what the object selects, the port from the containers when not given', async () => {
    const res = await kq.run(['expose', 'deployment', 'hello', '--type=NodePort']);
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe('service/hello exposed\n');
    const s = await get('service', 'hello');
    expect(s.spec.selector).toEqual({ app: 'hello' });
    expect(s.spec.type).toBe('NodePort');
    expect(s.spec.ports[0]).toMatchObject({ port: 8080, targetPort: 8080, protocol: 'TCP' });

    expect((await kq.run(['expose', 'pod/web', '--port=80', '--target-port=http', '--name=web-svc'])).stdout).toBe('service/web-svc exposed\n');
    const w = await get('service', 'web-svc');
    expect(w.spec.selector).toEqual({ run: 'web' });
    expect(w.spec.ports[0]).toMatchObject({ port: 80, targetPort: 'http' });

    const missing = await kq.run(['expose', 'deployment', 'nope', '--port=80']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('"nope" not found');
    const badPort = await kq.run(['expose', 'deployment', 'hello', '--port=70000', '--name=x']);
    expect(badPort.code).toBe(1);
    expect(badPort.stderr).toContain('between 1 and 65535');
  });
});

describe('kq set image, annotate, replace, edit', () => {
  it('set image changes one container by name (a new template for a deployment); an unknown container is an error', async () => {
    const res = await kq.run(['set', 'image', 'deployment/hello', 'agnhost=registry.k8s.io/e2e-test-images/agnhost:2.40']);
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe('deployment.apps/hello image updated\n');
    expect((await get('deployment', 'hello')).spec.template.spec.containers[0].image).toBe('registry.k8s.io/e2e-test-images/agnhost:2.40');
    const bad = await kq.run(['set', 'image', 'deployment/hello', 'nginx=nginx:2']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('unable to find container named "nginx"');
  });

  it('annotate sets, refuses to overwrite without --overwrite, and removes', async () => {
    expect((await kq.run(['annotate', 'pod', 'web', 'description=my frontend'])).stdout).toBe('pod/web annotated\n');
    expect((await get('pod', 'web')).metadata.annotations).toEqual({ description: 'my frontend' });
    const again = await kq.run(['annotate', 'pod', 'web', 'description=other']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("'description' already has a value (my frontend)");
    expect((await kq.run(['annotate', 'pod/web', 'description=other', '--overwrite'])).stdout).toBe('pod/web annotated\n');
    expect((await kq.run(['annotate', 'pod', 'web', 'description-'])).stdout).toBe('pod/web annotated\n');
    expect((await get('pod', 'web')).metadata.annotations ?? {}).toEqual({});
  });

  it('replace -f writes the whole object', async () => {
    const file = join(dir, 'svc.yaml');
    writeFileSync(file, `apiVersion: v1\nkind: Service\nmetadata: { name: web-svc, labels: { tier: front } }\nspec: { selector: { run: web }, ports: [{ port: 81 }] }\n`);
    const res = await kq.run(['replace', '-f', file]);
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe('service/web-svc replaced\n');
    const s = await get('service', 'web-svc');
    expect(s.metadata.labels).toEqual({ tier: 'front' });
    expect(s.spec.ports[0].port).toBe(81);
    const missing = join(dir, 'missing.yaml');
    writeFileSync(missing, `apiVersion: v1\nkind: Service\nmetadata: { name: nowhere }\nspec: { ports: [{ port: 80 }] }\n`);
    const res2 = await kq.run(['replace', '-f', missing]);
    expect(res2.code).toBe(1);
    expect(res2.stderr).toContain('nowhere');
  });

  it('edit opens $EDITOR on the YAML and writes the change; an unchanged file cancels', async () => {
    const editor = join(dir, 'editor.sh');
    writeFileSync(editor, `#!/bin/sh\nsed -i 's/replicas: 2/replicas: 4/' "$1"\n`);
    chmodSync(editor, 0o755);
    const res = await kq.run(['edit', 'deployment/hello'], { env: { EDITOR: editor } });
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe('deployment.apps/hello edited\n');
    expect((await get('deployment', 'hello')).spec.replicas).toBe(4);
    const before = await head();
    const cancel = await kq.run(['edit', 'deployment', 'hello'], { env: { EDITOR: 'true' } });
    expect(cancel.stdout).toBe('Edit cancelled, no changes made.\n');
    expect(await head()).toBe(before);
    const broken = join(dir, 'broken.sh');
    writeFileSync(broken, `#!/bin/sh\nprintf 'kind: [\\n' >> "$1"\n`);
    chmodSync(broken, 0o755);
    const bad = await kq.run(['edit', 'deployment', 'hello'], { env: { EDITOR: broken } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('your changes are kept in');
    expect(await head()).toBe(before);
  });
});

describe('kq describe pod', () => {
  it("lays a pod out as kubectl does: a heading per container, Conditions, QoS Class, Node-Selectors, Tolerations, Events", async () => {
    await api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, {
      i: {
        metadata: { name: 'sized' },
        spec: {
          nodeSelector: { disk: 'ssd' },
          containers: [
            { name: 'app', image: 'shop:3', ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1024Mi' } }, env: [{ name: 'MODE', value: 'fast' }] },
            { name: 'proxy', image: 'envoy:1', resources: { limits: { cpu: '500m', memory: '64Mi' } } },
          ],
        },
      },
    });
    const res = await kq.run(['describe', 'pod', 'sized']);
    expect(res.stderr).toBe('');
    const out = res.stdout;
    expect(out).toMatch(/^Containers:\n {2}app:\n {4}Image: +shop:3\n {4}Port: +8080\/TCP\n {4}State: +Waiting\n {4}Ready: +False\n {4}Restart Count: +0\n {4}Limits:\n {6}cpu: +1\n {6}memory: +1Gi\n {4}Requests:\n {6}cpu: +1\n {6}memory: +1Gi\n {4}Environment:\n {6}MODE: +fast\n {4}Mounts: +<none>\n {2}proxy:\n {4}Image: +envoy:1\n/m);
    // Requests equal to limits (1 = 1000m, 1Gi = 1024Mi; a missing request takes the limit): Guaranteed.
    expect(out).toMatch(/^QoS Class: +Guaranteed$/m);
    expect(out).toMatch(/^Node-Selectors: +disk=ssd$/m);
    expect(out).toMatch(/^Tolerations: +<none>$/m);
    expect(out).toMatch(/^Events: +<none>\n$/m);
    expect((await kq.run(['describe', 'pod', 'web'])).stdout).toMatch(/^QoS Class: +BestEffort$/m);
  });
});

describe('kq describe service', () => {
  it('lays a service out as kubectl does, with its endpoints', async () => {
    await api.ok(`mutation($i: EndpointsInput!) { createEndpoints(input: $i) { metadata { name } } }`, {
      i: { metadata: { name: 'web-svc' }, subsets: [{ addresses: [{ ip: '10.128.0.5' }, { ip: '10.128.0.6' }], ports: [{ port: 80 }] }] },
    });
    const res = await kq.run(['describe', 'svc', 'web-svc']);
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/^Selector: +run=web\nType: +ClusterIP\n/m);
    expect(res.stdout).toMatch(/^IP: +10\.\d+\.\d+\.\d+$/m);
    expect(res.stdout).toMatch(/^Port: +<unset>  81\/TCP\nTargetPort: +81\/TCP\nEndpoints: +10\.128\.0\.5:80,10\.128\.0\.6:80\nSession Affinity: +None\nEvents: +<none>\n$/m);
    const hello = await kq.run(['describe', 'service/hello']);
    expect(hello.stdout).toMatch(/^NodePort: +<unset>  \d+\/TCP$|^Endpoints: +<none>$/m);
  });
});

describe('kq explain and kq config', () => {
  it('explain prints a kind\'s fields, or a field\'s type and its fields, from the registry', async () => {
    const res = await kqRaw(['explain', 'pods.spec.containers.ports']);
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/^KIND: {7}Pod\nVERSION: {4}v1\n\nFIELD: ports <\[\]ContainerPort>\n/);
    expect(res.stdout).toContain('  containerPort\t<integer> -required-\n');
    expect(res.stdout).toContain('- `"UDP"`');
    const deep = await kqRaw(['explain', 'deployment', '--recursive']);
    expect(deep.stdout).toMatch(/^ {4}selector\t<LabelSelector> -required-\n {6}matchLabels\t<map\[string\]string>$/m);
    const bad = await kqRaw(['explain', 'pods.spec.nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('field "nope" does not exist in pods.spec');
  });

  it('config view shows the settings with the token REDACTED; set-context --current --namespace changes the default namespace', async () => {
    const file = join(dir, 'config');
    writeFileSync(file, JSON.stringify({ server: api.server.url.replace(/\/graphql$/, ''), token: api.token }));
    const env = { KUBEQL_CONFIG: file };
    const view = await kqRaw(['config', 'view'], { env });
    expect(view.stdout).toContain('current-context: kubeql\n');
    expect(view.stdout).toContain('token: REDACTED');
    expect(view.stdout).not.toContain(api.token);
    expect((await kqRaw(['config', 'view', '--raw'], { env })).stdout).toContain(api.token);
    await api.ok(`mutation { createNamespace(input: { metadata: { name: "team" } }) { metadata { name } } }`);
    await api.ok(`mutation { createPod(input: { metadata: { name: "in-team", namespace: "team" }, spec: { containers: [{ name: "a", image: "b" }] } }) { metadata { name } } }`);
    const set = await kqRaw(['config', 'set-context', '--current', '--namespace=team'], { env });
    expect(set.stdout).toBe('Context "kubeql" modified.\n');
    expect((await kqRaw(['get', 'pods', '-o', 'name'], { env })).stdout).toBe('pod/in-team\n');
    expect((await kqRaw(['config', 'use-context', 'kubeql'], { env })).stdout).toBe('Switched to context "kubeql".\n');
    const other = await kqRaw(['config', 'use-context', 'prod'], { env });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('no context exists with the name: "prod"');
    const badNs = await kqRaw(['config', 'set-context', '--current', '--namespace=Not_A_Name'], { env });
    expect(badNs.code).toBe(1);
  });
});

describe('kq version, cluster-info, logs, exec', () => {
  it('version and cluster-info say what answers where', async () => {
    const v = await kq.run(['version']);
    expect(v.stdout).toMatch(/^Client Version: v\d+\.\d+\.\d+\nServer Version: v\d+\.\d+\.\d+ /);
    const base = api.server.url.replace(/\/graphql$/, '');
    const info = await kq.run(['cluster-info']);
    expect(info.stdout).toContain(`Kubernetes control plane is running at ${base}\n`);
    expect(info.stdout).toContain(`${base}/graphql`);
  });

  it('logs and exec answer that simulated containers have none; an unknown pod is NotFound', async () => {
    const logs = await kq.run(['logs', 'web']);
    expect(logs.code).toBe(1);
    expect(logs.stderr).toContain('no logs');
    expect(logs.stderr).toContain('simulated');
    // The server flags go before `--`: what follows it is the command.
    const exec = await kqRaw(['exec', ...kq.flags, '-it', 'web', '--', 'sh']);
    expect(exec.code).toBe(1);
    expect(exec.stderr).toContain('cannot exec');
    const missing = await kq.run(['logs', 'nope']);
    expect(missing.stderr).toContain('"nope" not found');
  });
});
