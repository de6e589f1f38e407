/**
 * A server that accepts connections and never answers (stopped, wedged, a half-open connection):
 * the client's requests time out and go on to the next server, and a subscription whose socket
 * stops answering keep-alive pings is given up (UNAVAILABLE), so the next one goes to the next
 * server. The silent peers are real: a TCP server that accepts and reads but never writes, and a
 * real API server behind a proxy that is paused.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeqlClient, type KubeqlClient } from '../../server/client/client.js';
import { ClientError } from '../../server/client/client-error.js';
import { POD, startTestApi, type TestApi } from '../support/api.js';
import { startPausableProxy, type PausableProxy } from '../support/pausable-proxy.js';

let api: TestApi;
let silent: Server;
let silentUrl: string;
const held = new Set<Socket>();
const clients: KubeqlClient[] = [];

beforeAll(async () => {
  api = await startTestApi();
  // Accepts, reads whatever comes, and never answers.
  silent = createServer((socket) => {
    held.add(socket);
    socket.on('data', () => {});
    socket.on('close', () => held.delete(socket));
  });
  await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const s of held) s.destroy();
  silent.close();
  await api.close();
});

const base = () => api.server.url.replace(/\/graphql$/, '');
function client(server: string[], options: { requestTimeoutMs?: number; keepAliveMs?: number; retryWindowMs?: number } = {}): KubeqlClient {
  const c = createKubeqlClient({ server, token: api.token, ...options });
  clients.push(c);
  return c;
}

const CREATE = `mutation($i: PodInput!) { createPod(input: $i) { metadata { name } } }`;
const WATCH = `subscription { watch(kind: Pod, namespace: "default") { type revision } }`;

describe('a server that accepts and never answers', () => {
  it('times a read out and answers it from the next server', async () => {
    const c = client([silentUrl, base()], { requestTimeoutMs: 1_000 });
    const answer = await c.request<{ revision: number }>('{ revision }');
    expect(answer.revision).toBe((await api.ok('{ revision }')).revision);
    expect(c.url).toBe(api.server.url);
  });

  it('says so when it is the only server: UNAVAILABLE, naming the timeout', async () => {
    const c = client([silentUrl], { requestTimeoutMs: 300 });
    const refused = await c.request('{ revision }').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ClientError);
    expect(refused).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/no answer within 300 ms/) });
  });

  it('does not retry a write without requestIds whose outcome it cannot know, and says why', async () => {
    const c = client([silentUrl, base()], { requestTimeoutMs: 300 });
    const before = (await api.ok('{ revision }')).revision;
    const refused = await c.request(CREATE, { i: POD('unknown-outcome') }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/may or may not have run.*no answer within 300 ms|no answer within 300 ms.*may or may not have run/) });
    // It was not sent again to the server that answers.
    expect((await api.ok('{ revision }')).revision).toBe(before);
  });

  it('ends a subscription whose opening handshake is never answered, and the next one goes to the next server', async () => {
    const c = client([silentUrl, base()], { keepAliveMs: 400 });
    const ended = await firstValueFrom(c.subscribe(WATCH)).catch((e: unknown) => e);
    expect(ended).toMatchObject({ code: 'UNAVAILABLE' });
    expect(c.url).toBe(api.server.url);
    // The next subscription: on the server that answers (a watch without fromRevision starts with a BOOKMARK at least).
    await api.ok(CREATE, { i: POD('seen-after-failover') });
    const first = await firstValueFrom(c.subscribe<{ watch: { type: string } }>(WATCH));
    expect(['ADDED', 'BOOKMARK']).toContain(first.watch.type);
  });
});

describe('a subscription socket that goes silent', () => {
  let proxy: PausableProxy;
  beforeAll(async () => {
    proxy = await startPausableProxy('127.0.0.1', api.server.port);
  });
  afterAll(async () => {
    proxy.resume();
    await proxy.close();
  });

  it('is given up when a keep-alive ping goes unanswered: UNAVAILABLE, and the client moves to the next server', async () => {
    const c = client([`http://127.0.0.1:${proxy.port}`, base()], { keepAliveMs: 1_000 });
    const errors: unknown[] = [];
    const types: string[] = [];
    const sub = c.subscribe<{ watch: { type: string } }>(WATCH).subscribe({ next: (e) => types.push(e.watch.type), error: (e) => errors.push(e) });
    try {
      // Working through the proxy first: the initial state arrives.
      await until(() => types.length > 0);
      proxy.pause();
      await until(() => errors.length > 0);
      expect(errors[0]).toMatchObject({ code: 'UNAVAILABLE' });
      expect(c.url).toBe(api.server.url);
    } finally {
      sub.unsubscribe();
      proxy.resume();
    }
  });
});

async function until(ok: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
