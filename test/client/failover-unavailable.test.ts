/**
 * A server that answers UNAVAILABLE (it could not reach its log: here PostgreSQL's head row is held
 * locked by another connection past the store's lock timeout) is a server failure to the client: a
 * write carrying a requestId is tried again (on the next server, or this one a moment later) and
 * goes through once the log is free; a write without one gets the server's answer as it was.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeqlClient } from '../../server/client/client.js';
import { createObjectClient } from '../../server/client/object-client.js';
import { POD, startTestApi, type TestApi } from '../support/api.js';
import { postgresMissing, startPostgres, type PostgresServer } from '../support/postgres.js';

let postgres: PostgresServer | undefined;
let api: TestApi | undefined;
let databaseUrl: string;

beforeAll(async () => {
  if (postgresMissing) return;
  postgres = await startPostgres();
  databaseUrl = await postgres.createDatabase();
  api = await startTestApi({ databaseUrl });
}, 60_000);
afterAll(async () => {
  await api?.close();
  await postgres?.stop();
});

describe.skipIf(postgresMissing !== undefined)('UNAVAILABLE from the server', () => {
  it('a write with a requestId is retried until the log is free; one without gets the answer as it was', async () => {
    const client = createKubeqlClient({ server: api!.server.url, token: api!.token, retryWindowMs: 60_000 });
    const objects = createObjectClient(client);
    const locker = new pg.Client({ connectionString: databaseUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT head FROM log_head WHERE id = 1 FOR UPDATE');
      const retried = objects.create('Pod', { metadata: { name: 'retried', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }, { requestId: 'held-1' });
      // Sent after it, so it is written in the same batch or a later one: its failure means the first
      // attempt of the other failed too (the store gives up waiting for the lock after 10 s).
      await new Promise((r) => setTimeout(r, 300));
      const plain = client.request('mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }', { i: POD('plain') }).then(() => undefined, (e: unknown) => e);
      // The write without a requestId fails with the server's answer, not retried.
      expect(await plain).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('nothing was written') });
      await locker.query('ROLLBACK');
      expect((await retried).metadata.name).toBe('retried');
      const { items } = await objects.list('Pod', { namespace: 'default' });
      expect(items.map((p) => p.metadata.name)).toEqual(['retried']);
    } finally {
      await locker.end();
      await client.close();
    }
  }, 60_000);
});
