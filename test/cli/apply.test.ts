/** kq apply, create and delete against a real API server: kubectl's lines, atomic directories, the -o yaml round trip, and errors that name the file, document and field. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotTables, startTestApi, type TestApi } from '../support/api.js';
import { kqFor } from '../support/kq.js';

let api: TestApi;
let kq: ReturnType<typeof kqFor>;
let dir: string;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  labels: { app: shop }
spec:
  replicas: 2
  selector: { matchLabels: { app: shop } }
  template:
    metadata: { labels: { app: shop } }
    spec:
      containers:
      - name: app
        image: shop:1
`;

const SERVICE = `apiVersion: v1
kind: Service
metadata: { name: shop }
spec:
  selector: { app: shop }
  ports: [{ port: 80, targetPort: 8080 }]
`;

const file = (name: string, text: string) => {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
};

const get = (query: string) => api.ok(query);
const head = async () => (await api.ok(`{ revision }`)).revision as number;

beforeAll(async () => {
  api = await startTestApi();
  kq = kqFor({ url: api.server.url, token: api.token });
  dir = mkdtempSync(join(tmpdir(), 'kq-apply-'));
});

afterAll(async () => {
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('kq apply', () => {
  it('applies a directory in one request, in file order, and says created, unchanged, configured as kubectl does', async () => {
    file('app/1-shop.yaml', `${DEPLOYMENT}---\n${SERVICE}`);
    file('app/2-ns.json', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tools' } }));
    file('app/README.md', 'not a manifest');
    file('app/nested/skipped.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: { name: nested }\n');

    const first = await kq.run(['apply', '-f', join(dir, 'app')]);
    expect(first).toEqual({ code: 0, stdout: 'deployment.apps/shop created\nservice/shop created\nnamespace/tools created\n', stderr: '' });
    const again = await kq.run(['apply', '-f', join(dir, 'app')]);
    expect(again.stdout).toBe('deployment.apps/shop unchanged\nservice/shop unchanged\nnamespace/tools unchanged\n');

    // -R reads subdirectories; stdin works as a source; -n places objects without a namespace.
    const [recursive, stdin] = await Promise.all([
      kq.run(['apply', '-R', '-f', join(dir, 'app')]),
      kq.run(['apply', '-f', '-', '-n', 'tools'], { stdin: DEPLOYMENT.replace('replicas: 2', 'replicas: 1') }),
    ]);
    expect(recursive.stdout).toBe('deployment.apps/shop unchanged\nservice/shop unchanged\nnamespace/tools unchanged\nnamespace/nested created\n');
    expect(stdin).toEqual({ code: 0, stdout: 'deployment.apps/shop created\n', stderr: '' });
    const data = await get(`{ a: deployment(namespace: "tools", name: "shop") { spec { replicas } } b: deployment(namespace: "default", name: "shop") { spec { replicas } } }`);
    expect(data).toEqual({ a: { spec: { replicas: 1 } }, b: { spec: { replicas: 2 } } });

    const edited = await kq.run(['apply', '-f', '-'], { stdin: DEPLOYMENT.replace('shop:1', 'shop:2') });
    expect(edited.stdout).toBe('deployment.apps/shop configured\n');
    const dry = await kq.run(['apply', '-f', '-', '--dry-run=server'], { stdin: DEPLOYMENT.replace('shop:1', 'shop:3') });
    expect(dry.stdout).toBe('deployment.apps/shop configured (server dry run)\n');
    const image = await get(`{ deployment(namespace: "default", name: "shop") { manifest } }`);
    expect(image.deployment.manifest.spec.template.spec.containers[0].image).toBe('shop:2');
  });

  it('round-trips -o yaml: a saved object applies unchanged, and an edit to it applies as that edit', async () => {
    const saved = await kq.run(['get', 'deploy', 'shop', '-o', 'yaml']);
    expect(saved.code).toBe(0);
    expect(saved.stdout).toContain('resourceVersion:');
    const path = file('saved/shop.yaml', saved.stdout);
    const before = await head();
    const unchanged = await kq.run(['apply', '-f', path]);
    expect(unchanged).toEqual({ code: 0, stdout: 'deployment.apps/shop unchanged\n', stderr: '' });
    expect(await head()).toBe(before);

    // A list of several kinds, as `kq get ... -o yaml` writes it.
    const list = await kq.run(['get', 'deploy,svc', '-o', 'yaml']);
    const listPath = file('saved/list.yaml', list.stdout);
    const listed = await kq.run(['apply', '-f', listPath]);
    // The kubernetes Service was never applied: its first apply records last-applied-configuration, as kubectl's does.
    expect(listed, listed.stderr).toEqual({ code: 0, stdout: 'deployment.apps/shop unchanged\nservice/kubernetes configured\nservice/shop unchanged\n', stderr: '' });

    writeFileSync(path, readFileSync(path, 'utf8').replace('replicas: 2', 'replicas: 5'));
    const edited = await kq.run(['apply', '-f', path]);
    expect(edited.stdout).toBe('deployment.apps/shop configured\n');
    const live = (await get(`{ deployment(namespace: "default", name: "shop") { manifest } }`)).deployment.manifest;
    expect(live.spec.replicas).toBe(5);
    // What was recorded as applied is the user's configuration plus the edit, not the server's fields.
    const lastApplied = JSON.parse(live.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    expect(lastApplied.spec.replicas).toBe(5);
    expect(lastApplied.metadata).not.toHaveProperty('uid');
    expect(lastApplied).not.toHaveProperty('status');
    // As with kubectl, the saved resourceVersion is a precondition: the file is now stale.
    const stale = await kq.run(['apply', '-f', path]);
    expect(stale).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(new RegExp(`^error: ${path}, document 1 \\(line 1\\) deployment.apps/shop: the object has been modified since this file was saved`)) });
    const fresh = await kq.run(['get', 'deploy/shop', '-o', 'yaml']);
    writeFileSync(path, fresh.stdout);
    expect((await kq.run(['apply', '-f', path])).stdout).toBe('deployment.apps/shop unchanged\n');
  });

  it('refuses a bad manifest naming the file, the document and the field, and writes nothing', async () => {
    file('bad/a.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: { name: never }\n');
    file(
      'bad/b.yaml',
      `# leading comment\n${SERVICE.replace('name: shop', 'name: fine')}---\napiVersion: v1\nkind: Pod\nmetadata: { name: broken }\nspec:\n  containers:\n  - name: app\n    image: 42\n`,
    );
    const tables = snapshotTables(api.db());
    const bad = await kq.run(['apply', '-f', join(dir, 'bad')]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(`error: ${join(dir, 'bad/b.yaml')}, document 2 (line 9) pod/broken: spec.containers[0].image: must be a string\n`);
    expect(snapshotTables(api.db())).toBe(tables);

    const [syntax, kind, clash, missing] = await Promise.all([
      kq.run(['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: Pod\nmetadata: { name: p\n' }),
      kq.run(['apply', '-f', '-'], { stdin: `${SERVICE}---\napiVersion: v1\nkind: Gizmo\nmetadata: { name: g }\n` }),
      kq.run(['apply', '-f', '-', '-n', 'tools'], { stdin: SERVICE.replace('name: shop', 'name: shop, namespace: default') }),
      kq.run(['apply', '-f', join(dir, 'nope.yaml')]),
    ]);
    expect(syntax).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error: <stdin>: YAML syntax error at line \d+, column \d+/) });
    expect(kind).toMatchObject({ code: 1, stderr: 'error: <stdin>, document 2 (line 8): kind: Invalid value: "Gizmo": no such kind\n' });
    expect(clash).toMatchObject({ code: 1, stderr: expect.stringContaining(`the namespace from the provided object "default" does not match the namespace "tools"`) });
    expect(missing).toMatchObject({ code: 1, stderr: `error: the path "${join(dir, 'nope.yaml')}" does not exist\n` });
    expect(snapshotTables(api.db())).toBe(tables);
  });
});

describe('kq create and delete', () => {
  it('create -f creates each object, reporting the ones that exist by file and document (exit 1)', async () => {
    const path = file('create.yaml', `apiVersion: v1\nkind: Pod\nmetadata: { name: solo, labels: { kind: solo } }\nspec: { containers: [{ name: a, image: b }] }\n---\n${SERVICE}`);
    const created = await kq.run(['create', '-f', path]);
    expect(created.code).toBe(1);
    expect(created.stdout).toBe('pod/solo created\n');
    expect(created.stderr).toBe(`Error from server (AlreadyExists): ${path}, document 2 (line 6) service/shop: services "shop" already exists\n`);
    const ns = await kq.run(['create', 'namespace', 'made']);
    expect(ns).toEqual({ code: 0, stdout: 'namespace/made created\n', stderr: '' });
  });

  it('delete by name, by selector and by file, waiting until the objects are gone; a missing one is exit 1', async () => {
    await api.ok(`mutation($m: String!) { apply(manifests: $m) { revision } }`, {
      m: [1, 2, 3].map((i) => `apiVersion: v1\nkind: Pod\nmetadata: { name: temp-${i}, labels: { tier: temp } }\nspec: { containers: [{ name: a, image: b }] }\n`).join('---\n'),
    });
    const [byName, bySelector, byFile] = await Promise.all([
      kq.run(['delete', 'pod', 'solo']),
      kq.run(['delete', 'pods', '-l', 'tier=temp']),
      kq.run(['delete', '-f', join(dir, 'app/1-shop.yaml')]),
    ]);
    expect(byName).toEqual({ code: 0, stdout: 'pod "solo" deleted\n', stderr: '' });
    expect(bySelector.stdout, bySelector.stderr).toBe('pod "temp-1" deleted\npod "temp-2" deleted\npod "temp-3" deleted\n');
    expect(byFile.stdout).toBe('deployment.apps "shop" deleted\nservice "shop" deleted\n');
    const left = await get(`{ pods(namespace: "default") { edges { node { metadata { name } } } } service(namespace: "default", name: "shop") { metadata { name } } }`);
    expect(left).toEqual({ pods: { edges: [] }, service: null });

    const [missing, ignored, noName] = await Promise.all([
      kq.run(['delete', 'pod', 'ghost']),
      kq.run(['delete', 'pod/ghost', '--ignore-not-found']),
      kq.run(['delete', 'pods']),
    ]);
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "ghost" not found in namespace "default"\n' });
    expect(ignored).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(noName).toMatchObject({ code: 1, stderr: expect.stringContaining('no name was specified') });
  });
});
