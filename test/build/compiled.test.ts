/**
 * The compiled build end to end: `npm run build`'s dist/ holds the API server and the CLI as
 * JavaScript that runs without tsx, finds its migrations, schema and dashboard from the package
 * root, and `kq` (bin/kq.js) talks to it. Also times `kq get pods` (printed, not asserted).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../support/build.js';
import { kq } from '../support/kq.js';
import { eventually } from '../support/processes.js';

const root = resolve(import.meta.dirname, '../..');
let server: ChildProcess;
let output = '';
let dataDir: string;
let base: string;
let token: string;

beforeAll(async () => {
  ensureBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'kubeql-compiled-'));
  // No tsx anywhere: plain node on the compiled entry point, a log level that prints nothing on a good start.
  server = spawn(process.execPath, [join(root, 'dist/api/main.js')], {
    cwd: tmpdir(),
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', KUBEQL_SYNC: 'NORMAL' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  server.stdout!.on('data', (d) => (output += d));
  server.stderr!.on('data', (d) => (output += d));
  const url = await new Promise<string>((done, fail) => {
    server.on('message', (m: any) => m?.type === 'listening' && done(m.url));
    server.once('exit', (code) => fail(new Error(`the compiled API server exited (${code}): ${output}`)));
  });
  base = url.replace(/\/graphql$/, '');
  await eventually(async () => (await fetch(`${base}/readyz`)).status === 200, 30_000, () => output);
  const { readFileSync } = await import('node:fs');
  token = readFileSync(join(dataDir, 'admin.token'), 'utf8').trim();
}, 120_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the compiled build', () => {
  it('is JavaScript beside its source maps, with the replay worker', () => {
    for (const f of ['main.js', 'api/main.js', 'cli/main.js', 'controllers/main.js', 'scheduler/main.js', 'agent/main.js', 'store/sqlite/replay-sql.cjs']) expect(existsSync(join(root, 'dist', f)), f).toBe(true);
  });

  it('serves the API, the schema it was built from and the dashboard, logging nothing at warn on a good start', async () => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: `mutation { createPod(input: { metadata: { name: "compiled" }, spec: { containers: [{ name: "c", image: "nginx" }] } }) { metadata { name } } }` }),
    });
    expect(await res.json()).toEqual({ data: { createPod: { metadata: { name: 'compiled' } } } });
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    expect(output).toBe('');
  });

  it('kq (bin/kq.js, compiled) lists the pod; the time of `kq get pods` is printed', async () => {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const r = await kq(['get', 'pods', '--server', base, '--token', token], { bin: true, cwd: tmpdir() });
      times.push(performance.now() - started);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^NAME\s+READY\s+STATUS/);
      expect(r.stdout).toMatch(/\ncompiled\s/);
    }
    console.log(`kq get pods (compiled), ms: ${times.map((t) => t.toFixed(0)).join(', ')}`);
  });

  it('kq without a build says how to make one', async () => {
    // The message is in bin/kq.js itself; shown here by pointing a copy of it at an empty directory.
    const dir = mkdtempSync(join(tmpdir(), 'kq-unbuilt-'));
    try {
      const { copyFileSync, mkdirSync } = await import('node:fs');
      mkdirSync(join(dir, 'bin'));
      copyFileSync(join(root, 'bin/kq.js'), join(dir, 'bin/kq.js'));
      const r = await new Promise<{ code: number | null; stderr: string }>((done) => {
        const child = spawn(process.execPath, [join(dir, 'bin/kq.js'), 'get', 'pods'], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr!.on('data', (d) => (stderr += d));
        child.on('close', (code) => done({ code, stderr }));
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/npm run build/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
