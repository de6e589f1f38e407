/**
 * KUBEQL_REQUESTS_PER_SECOND sets each identity's request rate (its burst twice that) for
 * `npm run apiserver`: past it a request answers RATE_LIMITED; a value that is not a whole number
 * of at least 1 stops the server at start, naming the setting.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, startComponent, stopAllComponents } from '../support/processes.js';
import { freePort } from '../../server/components/free-port.js';

const dirs: string[] = [];
afterAll(async () => {
  await stopAllComponents();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const dataDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'kubeql-rate-'));
  dirs.push(d);
  return d;
};

describe('KUBEQL_REQUESTS_PER_SECOND', () => {
  it('limits each identity to that rate, with a burst of twice it', async () => {
    const dir = dataDir();
    const port = await freePort();
    const server = startComponent('api/main.ts', [], { PORT: String(port), DATA_DIR: dir, KUBEQL_REQUESTS_PER_SECOND: '5' });
    const base = `http://127.0.0.1:${port}`;
    await eventually(async () => (await fetch(`${base}/readyz`).catch(() => undefined))?.ok === true, 20_000, () => server.output());
    const token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
    const ask = () =>
      fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` }, body: '{"query":"{ revision }"}' }).then(
        async (r) => ((await r.json()) as { errors?: Array<{ extensions: { code: string } }> }).errors?.[0].extensions.code ?? 'OK',
      );
    // 30 at once: the burst (10, and a few more as the budget refills) pass, the rest are refused
    // (at the default rate, 2,000 a second, all would pass).
    const codes = await Promise.all(Array.from({ length: 30 }, ask));
    expect(codes.filter((c) => c === 'OK').length).toBeGreaterThanOrEqual(10);
    expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThan(0);
    expect(codes.filter((c) => c !== 'OK' && c !== 'RATE_LIMITED')).toEqual([]);
  });

  it('refuses a value that is not a whole number of requests, naming the setting', async () => {
    for (const value of ['0', 'fast', '-5', '1.5']) {
      const server = startComponent('api/main.ts', [], { PORT: '0', DATA_DIR: dataDir(), KUBEQL_REQUESTS_PER_SECOND: value });
      const code = await new Promise<number | null>((done) => (server.child.exitCode !== null ? done(server.child.exitCode) : server.child.once('exit', done)));
      expect(code).toBe(1);
      expect(server.output()).toContain(`KUBEQL_REQUESTS_PER_SECOND must be a whole number of requests per second, at least 1, not ${value}`);
    }
  });
});
