/**
 * First contact: a port already in use says which and how to choose another (no stack trace, exit
 * 1), and a path nothing answers gets a body pointing at GraphQL, the dashboard and the Kubernetes API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { startComponent, stopAllComponents } from '../support/processes.js';

describe('a port already in use', () => {
  let holder: Server;
  let port: number;
  const dataDir = mkdtempSync(join(tmpdir(), 'kubeql-port-'));
  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    port = (holder.address() as { port: number }).port;
  });
  afterAll(async () => {
    await stopAllComponents();
    holder.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('names the port and how to pick another, and exits 1 without a stack trace', async () => {
    const server = startComponent('api/main.ts', [], { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => resolve(-1), 30_000);
      server.child.once('exit', (c) => (clearTimeout(timer), resolve(c)));
    });
    if (code === -1) await server.stop();
    expect(code).toBe(1);
    const output = server.output();
    expect(output).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(output).toMatch(/PORT=\d+ npm start/);
    expect(output).not.toMatch(/\n\s+at /);
  });
});

describe('a path nothing answers', () => {
  let api: TestApi;
  let base: string;
  beforeAll(async () => {
    api = await startTestApi();
    base = api.server.url.replace(/\/graphql$/, '');
  });
  afterAll(() => api.close());

  it('answers 404 with the paths that do answer, as text in a browser and as JSON to a program', async () => {
    const text = await fetch(`${base}/nope`, { headers: { accept: 'text/html' } });
    expect(text.status).toBe(404);
    const body = await text.text();
    for (const door of ['/graphql', '/ (the dashboard)', '/api, /apis']) expect(body).toContain(door);

    const json = await fetch(`${base}/graphq1?x=1`, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: '{}' });
    expect(json.status).toBe(404);
    const answer = (await json.json()) as { code: string; message: string; paths: Record<string, string> };
    expect(answer.code).toBe('NOT_FOUND');
    expect(answer.message).toBe('no such path: /graphq1');
    expect(Object.keys(answer.paths)).toEqual(['graphql', 'dashboard', 'kubernetes', 'operations']);
  });

  it('leaves /graphql to GraphQL', async () => {
    const res = await api.gql('{ revision }');
    expect(res.errors).toBeUndefined();
    expect(typeof res.data.revision).toBe('number');
  });
});
