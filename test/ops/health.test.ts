/**
 * /healthz, /livez, /readyz: plain `ok` (200) or the failing check (503), open without a token.
 * /readyz turns 503 while another connection holds the database's write lock (DESIGN §7 Tests: an
 * exclusive lock, not chmod; the test writes nothing) and answers at once rather than waiting for
 * the lock; it is 200 again once the lock is released.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotTables, startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
const probe = async (path: string) => {
  const started = Date.now();
  const res = await fetch(new URL(path, api.server.url));
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type'), ms: Date.now() - started };
};

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

describe('health endpoints', () => {
  it('answer plain ok with 200, without a token', async () => {
    for (const path of ['/healthz', '/livez', '/readyz', '/readyz?verbose']) {
      const res = await probe(path);
      expect(res, path).toMatchObject({ status: 200, body: 'ok' });
      expect(res.type).toMatch(/^text\/plain/);
    }
  });

  it('/readyz is 503 naming the check while the log cannot be written, at once, and 200 again when it can', async () => {
    const tables = snapshotTables(api.db());
    const locker = new Database(join(api.dataDir, 'kubeql.db'));
    try {
      locker.exec('BEGIN EXCLUSIVE');
      const ready = await probe('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatch(/^log-writable failed: database is locked/);
      // Non-blocking: the store's busy timeout (2 s) is not waited out.
      expect(ready.ms).toBeLessThan(1000);
      // The process is up and its database open: alive, only not ready.
      expect(await probe('/healthz')).toMatchObject({ status: 200, body: 'ok' });
      expect(await probe('/livez')).toMatchObject({ status: 200, body: 'ok' });
      locker.exec('ROLLBACK');
      expect(await probe('/readyz')).toMatchObject({ status: 200, body: 'ok' });
    } finally {
      if (locker.inTransaction) locker.exec('ROLLBACK');
      locker.close();
    }
    // The check itself wrote nothing, and the server still writes afterwards.
    expect(snapshotTables(api.db())).toBe(tables);
    await api.ok(`mutation { createNamespace(input: { metadata: { name: "after-lock" } }) { metadata { name } } }`);
  });

  it('expose nothing else: other methods and paths go to the GraphQL server', async () => {
    const post = await fetch(new URL('/readyz', api.server.url), { method: 'POST' });
    expect(post.status).not.toBe(200);
    expect((await fetch(new URL('/healthz/extra', api.server.url))).status).toBe(404);
  });
});
