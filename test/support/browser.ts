/**
 * Debian's Chromium driven by playwright-core, for the dashboard's end-to-end tests. Where Chromium
 * is absent the tests are skipped with a message saying how to install it; under CI=true its
 * absence fails them (DESIGN §7 Tests).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = resolve(import.meta.dirname, '../artifacts');

export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') throw new Error(`Chromium is required under CI=true: apt-get install -y chromium (looked for ${CHROMIUM})`);
  console.warn(`Skipping browser tests: no Chromium at ${CHROMIUM}. Install it with: apt-get install -y chromium`);
  return false;
}

export async function launchBrowser(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
