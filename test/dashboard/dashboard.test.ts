import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { ARTIFACTS, chromiumAvailable, launchBrowser } from '../support/browser.js';
import { FLUENTD_DAEMONSET, PI_JOB, WEB_STATEFULSET } from '../support/manifests.js';

const enabled = chromiumAvailable();
let api: TestApi;
let browser: Browser;
let page: Page;

const node = (name: string) => api.ok(`mutation($i: NodeInput!) { createNode(input: $i) { metadata { name } } }`, { i: { metadata: { name } } });
const pod = (name: string, nodeName?: string) =>
  api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, { i: { metadata: { name }, spec: { nodeName, containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '250m', memory: '64Mi' } } }] } } });

describe.runIf(enabled)('dashboard in a real browser', () => {
  beforeAll(async () => {
    api = await startTestApi({ watch: { bookmarkIntervalMs: 300 } });
    for (const n of ['node-a', 'node-b']) {
      await node(n);
      await api.ok(`mutation($s: JSON!) { updateNodeStatus(name: "${n}", status: $s) { metadata { name } } }`, { s: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] } });
    }
    await pod('first', 'node-a');
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(api.server.url.replace('/graphql', '/'));
    await page.fill('#token', api.token);
    await page.click('#signin button');
    await page.waitForSelector('[data-node="node-a"] [data-pod="default/first"]');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('shows a pod created by another client on its node without a reload', async () => {
    await pod('second', 'node-b');
    await page.waitForSelector('[data-node="node-b"] [data-pod="default/second"]', { timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-nodes.png') });
    expect(await page.locator('[data-node="node-a"] .tile').count()).toBe(1);
  });

  it('moves the counts when a Deployment scales, and shows the earlier state at an earlier revision', async () => {
    const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: { name: shop }
spec:
  replicas: 2
  selector: { matchLabels: { app: shop } }
  template: { metadata: { labels: { app: shop } }, spec: { containers: [{ name: web, image: nginx }] } }`;
    await api.ok(`mutation($m: String!) { apply(manifests: $m) { revision } }`, { m: manifest });
    const before = (await api.ok('{ revision }')).revision;
    await page.click('a[data-view="workloads"]');
    await page.waitForSelector('tr[data-deployment="shop"] td.desired:text("2")');
    await api.ok(`mutation { scaleDeployment(namespace: "default", name: "shop", replicas: 5) { metadata { name } } }`);
    await page.waitForSelector('tr[data-deployment="shop"] td.desired:text("5")', { timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-workloads.png') });

    // Drag the slider back to before the scale: the view shows 2 again; back to live: 5.
    await page.$eval('#slider', (el, r) => {
      const input = el as HTMLInputElement;
      input.value = String(r);
      input.dispatchEvent(new Event('input'));
      input.dispatchEvent(new Event('change'));
    }, before);
    await page.waitForSelector('tr[data-deployment="shop"] td.desired:text("2")', { timeout: 10_000 });
    expect(await page.textContent('#at')).toBe(`at ${before}`);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-past.png') });
    await page.click('#live');
    await page.waitForSelector('tr[data-deployment="shop"] td.desired:text("5")');
  });

  it('lists services with their ClusterIP, shows the live log, and an object with its history', async () => {
    await api.ok(`mutation { createService(input: { metadata: { name: "web" }, spec: { selector: { app: "shop" }, ports: [{ port: 80 }] } }) { metadata { name } } }`);
    await page.click('a[data-view="services"]');
    await page.waitForSelector('text=10.96.');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-services.png') });
    await page.click('a[data-view="log"]');
    await api.ok(`mutation { patchPod(namespace: "default", name: "first", patch: { metadata: { labels: { seen: "yes" } } }) { metadata { name } } }`);
    await page.waitForSelector('.feed td:text("patch MODIFIED")', { timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-log.png') });
    await page.goto(api.server.url.replace('/graphql', '/#object/Pod/default/first'));
    await page.waitForSelector('pre.manifest:has-text("seen: \\"yes\\"")', { timeout: 10_000 });
    expect(await page.locator('ol.history li').count()).toBe(2);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-object.png') });
  });

  it('lists DaemonSets, StatefulSets and Jobs among the workloads, live', async () => {
    await api.ok(`mutation($m: String!) { apply(manifests: $m) { revision } }`, { m: `${PI_JOB}---\n${FLUENTD_DAEMONSET}---\n${WEB_STATEFULSET}` });
    await page.click('a[data-view="workloads"]');
    await page.waitForSelector('tr[data-job="default/pi"] td:text("Running")', { timeout: 10_000 });
    await page.waitForSelector('tr[data-daemonset="kube-system/fluentd-elasticsearch"]');
    await page.waitForSelector('tr[data-statefulset="default/web"] td:text("0/2")');
    await api.ok(`mutation($s: JSON!) { updateJobStatus(namespace: "default", name: "pi", status: $s) { metadata { name } } }`, {
      s: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] },
    });
    await page.waitForSelector('tr[data-job="default/pi"] td:text("Complete")', { timeout: 10_000 });
    expect(await page.textContent('tr[data-job="default/pi"]')).toContain('1/1');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-batch-workloads.png') });
  });

  it('works in a narrow window, and signing out forgets the token', async () => {
    await page.setViewportSize({ width: 420, height: 800 });
    await page.click('a[data-view="nodes"]');
    await page.waitForSelector('[data-node="node-b"]');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-narrow.png') });
    await page.click('#signout');
    expect(await page.evaluate(() => localStorage.getItem('kubeql.token'))).toBeNull();
    await page.reload();
    await page.waitForSelector('#signin:not([hidden])');
  });
});
