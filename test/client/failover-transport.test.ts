/**
 * The transport's failover between servers, against a real API server and two real misbehaving
 * HTTP peers in front of it in the list: one that cuts every connection after reading the request
 * (the outcome of a write is unknown) and one that answers 503 (not ready: nothing ran). Reads and
 * writes carrying requestIds go on to the next server; a write without one whose outcome is unknown
 * is not retried, and the log shows it.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeqlClient } from '../../server/client/client.js';
import { ClientError } from '../../server/client/client-error.js';
import { createObjectClient } from '../../server/client/object-client.js';
import { serverList } from '../../server/client/server-urls.js';
import { isMutationDocument } from '../../server/client/transport-failure.js';
import { POD, startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
let cutter: TcpServer;
let notReady: HttpServer;
let cutterUrl: string;
let notReadyUrl: string;
let requestsCut = 0;
const listen = (s: TcpServer | HttpServer) => new Promise<string>((done) => s.listen(0, '127.0.0.1', () => done(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)));

beforeAll(async () => {
  api = await startTestApi();
  // Reads the request's first bytes, then resets the connection: the client cannot know whether it ran.
  cutter = createTcpServer((socket) => {
    socket.once('data', () => {
      requestsCut++;
      socket.resetAndDestroy();
    });
  });
  notReady = createHttpServer((req, res) => {
    req.resume();
    res.writeHead(503, { 'content-type': 'text/plain' }).end('not ready');
  });
  [cutterUrl, notReadyUrl] = await Promise.all([listen(cutter), listen(notReady)]);
});
afterAll(async () => {
  cutter.close();
  notReady.close();
  await api.close();
});

const head = async () => (await api.ok('{ revision }')).revision as number;
const base = () => api.server.url.replace(/\/graphql$/, '');

describe('failover between servers', () => {
  it('reads go on to the next server after a cut connection or a 503, and the client stays on the one that answered', async () => {
    const client = createKubeqlClient({ server: [cutterUrl, notReadyUrl, base()], token: api.token });
    try {
      expect(client.servers).toEqual([`${cutterUrl}/graphql`, `${notReadyUrl}/graphql`, api.server.url]);
      const before = requestsCut;
      expect((await client.request('{ revision }')).revision).toBe(await head());
      expect(requestsCut).toBe(before + 1);
      expect(client.url).toBe(api.server.url);
      // The next request goes straight to the server in use.
      await client.request('{ revision }');
      expect(requestsCut).toBe(before + 1);
    } finally {
      await client.close();
    }
  });

  it('a write without a requestId whose connection was cut is not retried (it may have run), and nothing is written', async () => {
    const client = createKubeqlClient({ server: [cutterUrl, base()], token: api.token });
    try {
      const at = await head();
      const error = await client
        .request('mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }', { i: POD('cut-once') })
        .then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ClientError);
      expect(error).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('may or may not have run') });
      expect(await head()).toBe(at);
      // The client moved on: the same write sent again now reaches the API server.
      await client.request('mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }', { i: POD('cut-once') });
      expect(await head()).toBe(at + 1);
    } finally {
      await client.close();
    }
  });

  it('a write after a 503 goes on to the next server (nothing ran), once', async () => {
    const client = createKubeqlClient({ server: [notReadyUrl, base()], token: api.token });
    try {
      const at = await head();
      await client.request('mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }', { i: POD('after-503') });
      expect(await head()).toBe(at + 1);
    } finally {
      await client.close();
    }
  });

  it("the object client's writes carry requestIds with several servers, so a cut one is retried on the next and written once", async () => {
    const client = createKubeqlClient({ server: [cutterUrl, base()], token: api.token });
    try {
      const objects = createObjectClient(client);
      const at = await head();
      const cut = requestsCut;
      const pod = await objects.create('Pod', { metadata: { generateName: 'retried-', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
      expect(requestsCut).toBe(cut + 1);
      expect(await head()).toBe(at + 1);
      const { events } = api.db().prepare('SELECT count(*) AS events FROM events WHERE name = ?').get(pod.metadata.name) as { events: number };
      expect(events).toBe(1);
      const logged = api.db().prepare('SELECT request_id AS requestId FROM events WHERE revision = ?').get(at + 1) as { requestId: string | null };
      expect(logged.requestId).toMatch(/^[0-9a-f-]{36}$/);
      // Batched writes (the agents' status posts) carry them too, and go through.
      const post = objects.batched('Pod', 'updateStatus');
      await post({ namespace: 'default', name: pod.metadata.name!, status: { phase: 'Running' } });
      expect((await objects.get('Pod', { namespace: 'default', name: pod.metadata.name! }))?.status?.phase).toBe('Running');
    } finally {
      await client.close();
    }
  });

  it('with every server down, a request fails UNAVAILABLE after its retry window, naming the servers', async () => {
    const client = createKubeqlClient({ server: [cutterUrl, 'http://127.0.0.1:9'], token: api.token, retryWindowMs: 300 });
    try {
      const error = await client.request('{ revision }').then(() => undefined, (e: unknown) => e);
      expect(error).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/^cannot reach any of http:\/\/127\.0\.0\.1:\d+\/graphql, http:\/\/127\.0\.0\.1:9\/graphql/) });
    } finally {
      await client.close();
    }
  });

  it('a subscription whose server is gone fails UNAVAILABLE, and the next one goes to the next server', async () => {
    const client = createKubeqlClient({ server: ['http://127.0.0.1:9', base()], token: api.token });
    try {
      const watch = 'subscription { watch(kind: Namespace, fromRevision: 0) { type revision } }';
      const first = await new Promise<unknown>((done) => client.subscribe(watch).subscribe({ next: () => done('event'), error: done }));
      expect(first).toMatchObject({ code: 'UNAVAILABLE' });
      const second = await new Promise<unknown>((done, fail) => {
        const s = client.subscribe(watch).subscribe({ next: (v) => (s.unsubscribe(), done(v)), error: fail });
      });
      expect(second).toMatchObject({ watch: { type: 'ADDED' } });
    } finally {
      await client.close();
    }
  });
});

describe('server lists', () => {
  it('splits commas, trims, drops repeats, and names a bad entry', () => {
    expect(serverList(' http://a:1, http://b:2/graphql ,http://a:1,')).toEqual(['http://a:1', 'http://b:2/graphql']);
    expect(serverList(['http://a:1,http://b:2', 'https://c'])).toEqual(['http://a:1', 'http://b:2', 'https://c']);
    expect(() => serverList('http://a:1,a:2')).toThrow('server "a:2" must be an http:// or https:// URL');
    expect(() => serverList(' , ')).toThrow('no API server URL given');
  });

  it('tells mutations from queries', () => {
    expect(isMutationDocument('mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }')).toBe(true);
    expect(isMutationDocument('mutation Named { x }')).toBe(true);
    expect(isMutationDocument('# a comment\n  mutation{ x }')).toBe(true);
    expect(isMutationDocument('{ revision }')).toBe(false);
    expect(isMutationDocument('query { pods(labelSelector: "mutation (x)") { revision } }')).toBe(false);
  });
});
