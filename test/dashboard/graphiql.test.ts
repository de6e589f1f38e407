import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { ARTIFACTS, chromiumAvailable, launchBrowser } from '../support/browser.js';

const enabled = chromiumAvailable();
let api: TestApi;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Every request the page tried to send anywhere but this machine (each was refused). */
const leaving: string[] = [];

const isLoopback = (url: string) => {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'blob:') return true;
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
};

const pod = (name: string) => api.ok(`mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`, { i: { metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } });

/** GraphiQL's result pane, as text (Monaco draws only the lines in view: the results here are short). */
const results = (p: Page) => p.locator('.graphiql-response').innerText();

async function openGraphiQL(query: string): Promise<void> {
  await page.goto(`${api.server.url}?query=${encodeURIComponent(query)}`);
  await page.locator('.graphiql-execute-button').waitFor({ state: 'visible', timeout: 30_000 });
}

describe.runIf(enabled)('GraphiQL served offline', () => {
  beforeAll(async () => {
    // Bookmarks rarely, so the event the subscription test waits for stays on screen.
    api = await startTestApi({ watch: { bookmarkIntervalMs: 600_000 } });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // The network is cut off from anything but loopback: a request elsewhere is refused and written down.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (isLoopback(url)) return route.continue();
      leaving.push(url);
      return route.abort('internetdisconnected');
    });
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await api?.close();
  });

  it('is served without a token and carries none', async () => {
    const res = await fetch(api.server.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('YogaGraphiQL.renderYogaGraphiQL');
    expect(html).not.toContain(api.token);
    // No script or stylesheet from elsewhere.
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/);
    expect(html).not.toMatch(/<link[^>]+href=["']https?:/);
  });

  it('runs a query with the token the dashboard keeps, no request leaving the machine', async () => {
    await pod('first');
    // Sign in on the dashboard as a user would; GraphiQL takes the token from there.
    await page.goto(api.server.url.replace('/graphql', '/'));
    await page.fill('#token', api.token);
    await page.click('#signin button');
    await page.locator('#signout').waitFor({ state: 'visible' });

    await openGraphiQL('query { pods { edges { node { metadata { name } } } } }');
    await page.click('.graphiql-execute-button');
    await expect.poll(() => results(page), { timeout: 30_000 }).toContain('"first"');
    await page.screenshot({ path: join(ARTIFACTS, 'graphiql-query.png') });
    expect(leaving).toEqual([]);
  }, 90_000);

  it('runs a subscription over the WebSocket, authorized in connection_init', async () => {
    await openGraphiQL('subscription { watch(kind: Pod) { type object { ... on Pod { metadata { name } } } } }');
    await page.click('.graphiql-execute-button');
    // The subscription is open when its first frame (a bookmark) shows.
    await expect.poll(() => results(page), { timeout: 30_000 }).toContain('"BOOKMARK"');
    await pod('second');
    await expect.poll(() => results(page), { timeout: 30_000 }).toContain('"second"');
    await page.screenshot({ path: join(ARTIFACTS, 'graphiql-subscription.png') });
    expect(leaving).toEqual([]);
  }, 90_000);

  it("signing out of the dashboard forgets the token GraphiQL kept as well", async () => {
    const stored = () => page.evaluate((token) => Object.keys(localStorage).filter((k) => localStorage.getItem(k)!.includes(token)), api.token);
    expect((await stored()).length).toBeGreaterThan(0);
    await page.goto(api.server.url.replace('/graphql', '/'));
    await page.locator('#signout').click();
    await page.locator('#signin').waitFor({ state: 'visible' });
    expect(await stored()).toEqual([]);
  });

  it('without a token, says UNAUTHENTICATED rather than showing anything', async () => {
    const anonymous = await context.newPage();
    await anonymous.goto(api.server.url.replace('/graphql', '/'));
    await anonymous.evaluate(() => localStorage.clear());
    await anonymous.goto(`${api.server.url}?query=${encodeURIComponent('{ revision }')}`);
    await anonymous.locator('.graphiql-execute-button').waitFor({ state: 'visible', timeout: 30_000 });
    await anonymous.click('.graphiql-execute-button');
    await expect.poll(() => results(anonymous), { timeout: 30_000 }).toContain('UNAUTHENTICATED');
    await anonymous.close();
  }, 90_000);
});
