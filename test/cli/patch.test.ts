/** kq patch as kubectl patch: strategic by default, --type merge and json, inline JSON or YAML or a file; errors exit 1. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { kqFor } from '../support/kq.js';

let api: TestApi;
let kq: ReturnType<typeof kqFor>;

const deployment = async (name: string) => (await api.ok(`{ o: deployment(namespace: "default", name: "${name}") { manifest } }`)).o.manifest;

beforeAll(async () => {
  api = await startTestApi();
  kq = kqFor({ url: api.server.url, token: api.token });
  await api.ok(`mutation($m: String!) { apply(manifests: $m) { revision } }`, {
    m: `apiVersion: apps/v1
kind: Deployment
metadata: { name: shop }
spec:
  replicas: 2
  selector: { matchLabels: { app: shop } }
  template:
    metadata: { labels: { app: shop } }
    spec: { containers: [{ name: app, image: "shop:3" }, { name: proxy, image: "envoy:1" }] }
`,
  });
});
afterAll(() => api.close());

describe('kq patch', () => {
  it('is a strategic merge patch by default: a container merged by name keeps the others; an unchanged patch says so', async () => {
    const p = JSON.stringify({ spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'MODE', value: 'fast' }] }] } } } });
    const res = await kq.run(['patch', 'deployment/shop', '-p', p]);
    expect(res.stderr).toBe('');
    expect(res.stdout).toBe('deployment.apps/shop patched\n');
    const d = await deployment('shop');
    expect(d.spec.template.spec.containers.map((c: { name: string }) => c.name)).toEqual(['app', 'proxy']);
    expect(d.spec.template.spec.containers[0].env).toEqual([{ name: 'MODE', value: 'fast' }]);
    expect((await kq.run(['patch', 'deployment', 'shop', '-p', p])).stdout).toBe('deployment.apps/shop patched (no change)\n');
  });

  it('takes YAML, --type merge and --type json, and a --patch-file', async () => {
    expect((await kq.run(['patch', 'deployment/shop', '--type', 'merge', '-p', 'spec: { replicas: 3 }'])).code).toBe(0);
    expect((await deployment('shop')).spec.replicas).toBe(3);
    const dir = mkdtempSync(join(tmpdir(), 'kq-patch-'));
    writeFileSync(join(dir, 'p.json'), JSON.stringify([{ op: 'test', path: '/spec/replicas', value: 3 }, { op: 'replace', path: '/spec/replicas', value: 4 }]));
    const res = await kq.run(['patch', 'deployment/shop', '--type', 'json', '--patch-file', join(dir, 'p.json')]);
    expect(res.stdout).toBe('deployment.apps/shop patched\n');
    expect((await deployment('shop')).spec.replicas).toBe(4);
  });

  it('exits 1 with the reason for a failing JSON patch, a bad type, a missing patch and an unknown object', async () => {
    const failing = await kq.run(['patch', 'deployment/shop', '--type', 'json', '-p', '[{"op":"test","path":"/spec/replicas","value":9}]']);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('patch[0]');
    expect(failing.stderr).toContain('test failed');
    expect((await deployment('shop')).spec.replicas).toBe(4);
    const badType = await kq.run(['patch', 'deployment/shop', '--type', 'xml', '-p', '{}']);
    expect(badType.code).toBe(1);
    expect(badType.stderr).toContain('--type must be strategic, merge or json');
    expect((await kq.run(['patch', 'deployment/shop'])).stderr).toContain('-p or with --patch-file');
    expect((await kq.run(['patch', 'deployment/ghost', '-p', '{}'])).code).toBe(1);
  });
});
