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
    // A node heartbeat (a Lease renewed in kube-node-lease), written before the page opens.
    await api.ok(`mutation { createLease(input: { metadata: { name: "node-a", namespace: "kube-node-lease" }, spec: { holderIdentity: "node-a" } }) { metadata { name } } }`);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(api.server.url.replace('/graphql', '/'));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('before sign-in shows the sign-in form alone; a failed sign-in says so, and a good one takes the form and the message away', async () => {
    await expect.poll(() => page.locator('#signin').isVisible()).toBe(true);
    expect(await page.locator('#timebar').isVisible()).toBe(false);
    expect(await page.locator('#slider').isVisible()).toBe(false);
    expect(await page.locator('#signout').isVisible()).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-signin.png') });

    await page.fill('#token', 'not-a-token');
    await page.click('#signin button');
    await expect.poll(() => page.locator('#signin-error').textContent()).toContain('Sign-in failed');
    expect(await page.locator('#signin-error').isVisible()).toBe(true);

    await page.fill('#token', api.token);
    await page.click('#signin button');
    await page.waitForSelector('[data-node="node-a"] [data-pod="default/first"]');
    expect(await page.locator('#signin').isVisible()).toBe(false);
    expect(await page.getByText('Sign-in failed').isVisible()).toBe(false);
    expect(await page.locator('#slider').isVisible()).toBe(true);
    expect(await page.locator('#signout').isVisible()).toBe(true);
    // Still gone on every tab.
    for (const view of ['workloads', 'services', 'log', 'nodes']) {
      await page.click(`a[data-view="${view}"]`);
      expect(await page.locator('#signin').isVisible()).toBe(false);
      expect(await page.getByText('Sign-in failed').isVisible()).toBe(false);
    }
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
    // The Log tab shows the history from before the page opened at once, without node heartbeats.
    await page.click('a[data-view="log"]');
    await page.locator('.feed td:text-is("Pod default/first")').first().waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('.feed td:text-is("Lease kube-node-lease/node-a")').count()).toBe(0);
    await page.check('#feed-heartbeats');
    await page.locator('.feed td:text-is("Lease kube-node-lease/node-a")').first().waitFor({ state: 'visible', timeout: 10_000 });
    await page.uncheck('#feed-heartbeats');
    await expect.poll(() => page.locator('.feed td:text-is("Lease kube-node-lease/node-a")').count()).toBe(0);
    await api.ok(`mutation { patchPod(namespace: "default", name: "first", patch: { metadata: { labels: { seen: "yes" } } }) { metadata { name } } }`);
    await page.locator('.feed td:text("patch MODIFIED")').first().waitFor({ state: 'visible', timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-log.png') });

    // Its Events beside it (recorded here as a scheduler would), not another object's.
    const event = (name: string, podName: string, reason: string, message: string) =>
      api.ok(`mutation($i: EventInput!) { createEvent(input: $i) { metadata { name } } }`, {
        i: { metadata: { name, namespace: 'default' }, involvedObject: { kind: 'Pod', namespace: 'default', name: podName, apiVersion: 'v1' }, reason, message, type: 'Normal', source: { component: 'default-scheduler' }, count: 1, firstTimestamp: new Date().toISOString(), lastTimestamp: new Date().toISOString() },
      });
    await event('first.1', 'first', 'Scheduled', 'Successfully assigned default/first to node-a');
    await event('other.1', 'other', 'Scheduled', 'Successfully assigned default/other to node-b');

    // An object's history: readable changes, as kq history prints them, not raw JSON Patch.
    await page.goto(api.server.url.replace('/graphql', '/#object/Pod/default/first'));
    await page.locator('.events td:text-is("Successfully assigned default/first to node-a")').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('.events td:text("default/other")').count()).toBe(0);
    await page.waitForSelector('pre.manifest:has-text("seen: \\"yes\\"")', { timeout: 10_000 });
    expect(await page.locator('ol.history > li').count()).toBe(2);
    await page.getByText('+ /metadata/labels: {"seen":"yes"}').or(page.getByText('+ /metadata/labels/seen: "yes"')).waitFor({ state: 'visible' });
    expect(await page.locator('ol.history pre').count()).toBe(0);
    expect(await page.locator('ol.history').textContent()).not.toContain('"op"');
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-object.png') });
  });

  it('lists ConfigMaps with their keys and Secrets by name only: the page never receives a Secret value', async () => {
    const bodies: string[] = [];
    page.on('websocket', (ws) => ws.on('framereceived', (f) => bodies.push(String(f.payload))));
    page.on('response', (r) => void r.text().then((t) => bodies.push(t)).catch(() => {}));
    await page.reload();
    await api.ok(`mutation($m: String!) { apply(manifests: $m) { revision } }`, {
      m: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: settings }\ndata: { mode: fast }\n---\napiVersion: v1\nkind: Secret\nmetadata: { name: db-password }\nstringData: { password: hunter2-in-the-clear }\n',
    });
    await page.click('a[data-view="config"]');
    await page.waitForSelector('[data-configmap="settings"]:has-text("mode")', { timeout: 10_000 });
    await page.waitForSelector('[data-secret="db-password"]:has-text("Opaque")', { timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-config.png') });
    const encoded = Buffer.from('hunter2-in-the-clear').toString('base64');
    expect(bodies.length).toBeGreaterThan(0);
    for (const b of bodies) {
      expect(b).not.toContain('hunter2-in-the-clear');
      expect(b).not.toContain(encoded);
    }
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

  it("keeps a Deployment's page short: its history is a list of changes, controllers' status writes one line each", async () => {
    // A rollout's worth of status writes, as the Deployment controller makes them.
    for (let i = 1; i <= 40; i++) {
      await api.ok(`mutation($s: JSON!) { updateDeploymentStatus(namespace: "default", name: "shop", status: $s) { metadata { name } } }`, {
        s: { observedGeneration: i, replicas: i % 6, updatedReplicas: i % 5, readyReplicas: i % 4, availableReplicas: i % 3, unavailableReplicas: i % 2,
          conditions: [{ type: 'Available', status: i % 2 ? 'True' : 'False', reason: `R${i}`, lastUpdateTime: new Date(1e12 + i * 1000).toISOString() }, { type: 'Progressing', status: 'True', reason: `P${i}` }] },
      });
    }
    await page.goto(api.server.url.replace('/graphql', '/#object/Deployment/default/shop'));
    await page.waitForSelector('pre.manifest', { timeout: 10_000 });
    await page.getByText('~ /spec/replicas: 2 → 5').waitFor({ state: 'visible', timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-deployment.png'), fullPage: true });
    await page.locator('details.status-changes').nth(39).waitFor({ state: 'attached', timeout: 10_000 });
    expect(await page.locator('ol.history > li').count()).toBeGreaterThanOrEqual(42);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    expect(height).toBeLessThan(4000);
    // A status write opens to its changes.
    await page.locator('details.status-changes summary').first().click();
    await page.locator('details.status-changes[open] li').first().waitFor({ state: 'visible' });
  });

  it('reads every table in a 420 px window, nothing wider than the window', async () => {
    await page.setViewportSize({ width: 420, height: 800 });
    for (const view of ['nodes', 'workloads', 'services', 'log']) {
      await page.goto(api.server.url.replace('/graphql', `/#${view}`));
      await page.locator('#signout').waitFor({ state: 'visible' });
      if (view !== 'nodes') await page.locator('#view td').first().waitFor({ state: 'visible', timeout: 10_000 });
      else await page.waitForSelector('[data-node="node-b"]');
      await page.screenshot({ path: join(ARTIFACTS, `dashboard-narrow-${view}.png`), fullPage: true });
      const layout = await page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        const cells = [...document.querySelectorAll('#view td')];
        const cut = cells.filter((td) => {
          const r = td.getBoundingClientRect();
          return r.width === 0 || r.height === 0 || r.left < 0 || r.right > width + 0.5 || td.scrollWidth > td.clientWidth + 1;
        });
        return { width, scrollWidth: document.documentElement.scrollWidth, cells: cells.length, cut: cut.map((td) => td.textContent) };
      });
      expect(layout.scrollWidth, view).toBeLessThanOrEqual(layout.width);
      expect(layout.cut, view).toEqual([]);
      if (view !== 'nodes') expect(layout.cells, view).toBeGreaterThan(0);
      // Every column's name is read beside its value.
      if (view === 'services') expect(await page.locator('td[data-label="Cluster IP"]').first().isVisible()).toBe(true);
    }
  });

  it('signing out forgets the token and shows the sign-in form again, without the slider', async () => {
    await page.click('#signout');
    expect(await page.evaluate(() => localStorage.getItem('kubeql.token'))).toBeNull();
    await page.reload();
    await expect.poll(() => page.locator('#signin').isVisible()).toBe(true);
    expect(await page.locator('#timebar').isVisible()).toBe(false);
    expect(await page.locator('#signin-error').isVisible()).toBe(false);
  });
});
