/**
 * The client's door into the Kubernetes REST API (`client.rest`), which the node agents renew their
 * Leases through as kubelet does: answers are the objects; Status answers are ClientErrors with our
 * codes (a stale resourceVersion CONFLICT, a missing object NOT_FOUND, an invalid one
 * BAD_USER_INPUT) and write nothing; a hostile answer is an error, never an object or a code it
 * did not name; a dead first server is passed over for a read.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeqlClient, type KubeqlClient } from '../../server/client/client.js';
import { ClientError } from '../../server/client/client-error.js';
import { leaseOf, leasePath } from '../../server/agent/lease-heartbeat.js';
import { startTestApi, type TestApi } from '../support/api.js';

let api: TestApi;
let client: KubeqlClient;
beforeAll(async () => {
  api = await startTestApi();
  client = createKubeqlClient({ server: api.server.url, token: api.token });
});
afterAll(async () => {
  await client?.close();
  await api?.close();
});

type Lease = { metadata: { name: string; resourceVersion: string }; spec: { renewTime: string } };
const lease = { node: 'rest-n1', nodeUid: 'uid-of-node-rest-n1', durationSeconds: 40 };
const codeOf = (p: Promise<unknown>) => p.then(() => 'no error', (e: unknown) => (e instanceof ClientError ? e.code : `not a ClientError: ${String(e)}`));
const head = async () => Number((await api.ok(`{ revision }`)).revision);

describe('client.rest', () => {
  it('creates, replaces and reads a Lease; a stale precondition, a missing object and an invalid body are coded errors that write nothing', async () => {
    const created = await client.rest<Lease>('POST', leasePath(), leaseOf(lease, undefined, '2026-12-04T10:00:00.000000Z'));
    expect(created.metadata.name).toBe('rest-n1');
    const renewed = await client.rest<Lease>('PUT', leasePath('rest-n1'), leaseOf(lease, created.metadata.resourceVersion, '2026-12-04T10:00:10.000000Z'));
    expect(Number(renewed.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata.resourceVersion));
    expect((await client.rest<Lease>('GET', leasePath('rest-n1'))).spec.renewTime).toBe('2026-12-04T10:00:10.000000Z');

    const before = await head();
    expect(await codeOf(client.rest('PUT', leasePath('rest-n1'), leaseOf(lease, created.metadata.resourceVersion)))).toBe('CONFLICT');
    expect(await codeOf(client.rest('GET', leasePath('nobody')))).toBe('NOT_FOUND');
    expect(await codeOf(client.rest('POST', leasePath(), leaseOf(lease)))).toBe('ALREADY_EXISTS');
    const invalid = { ...leaseOf({ ...lease, node: 'rest-n2' }), spec: { leaseDurationSeconds: 'forty' } };
    expect(await codeOf(client.rest('POST', leasePath(), invalid))).toBe('BAD_USER_INPUT');
    expect(await codeOf(client.rest('PATCH', leasePath('rest-n1'), { spec: { leaseDurationSeconds: -1 } }))).toBe('BAD_USER_INPUT');
    expect(await head()).toBe(before);
    // A merge patch (the REST door's PATCH body).
    const patched = await client.rest<Lease>('PATCH', leasePath('rest-n1'), { spec: { renewTime: '2026-12-04T10:00:20.000000Z' } });
    expect(patched.spec.renewTime).toBe('2026-12-04T10:00:20.000000Z');
  });

  it('takes a hostile answer for an error, not for an object: unknown reasons, non-string messages, non-objects', async () => {
    // A server that answers each path as the test says.
    const answers: Record<string, [number, string]> = {
      '/proto': [409, JSON.stringify({ kind: 'Status', reason: '__proto__', message: { not: 'a string' } })],
      '/ctor': [404, JSON.stringify({ kind: 'Status', reason: 'constructor', message: 'x'.repeat(100_000) })],
      '/null': [200, 'null'],
      '/list': [200, '[1,2]'],
      '/text': [200, 'not json'],
      '/down': [503, ''],
    };
    const fake = createServer((req, res) => {
      const [status, body] = answers[req.url ?? ''] ?? [500, ''];
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
    const hostile = createKubeqlClient({ server: `http://127.0.0.1:${(fake.address() as AddressInfo).port}`, token: 't' });
    const errorOf = (path: string) => hostile.rest('GET', path).then(() => undefined, (e: unknown) => e as ClientError);
    try {
      const proto = await errorOf('/proto');
      expect(proto).toBeInstanceOf(ClientError);
      expect([proto!.code, typeof proto!.message]).toEqual(['INTERNAL_SERVER_ERROR', 'string']);
      expect(proto!.message).toContain('answered HTTP 409');
      const ctor = await errorOf('/ctor');
      expect(ctor!.code).toBe('INTERNAL_SERVER_ERROR');
      expect(ctor!.message.length).toBeLessThanOrEqual(2000);
      for (const path of ['/null', '/list', '/text']) expect((await errorOf(path))?.code, path).toBe('INTERNAL_SERVER_ERROR');
      expect((await errorOf('/down'))?.code).toBe('UNAVAILABLE');
    } finally {
      await hostile.close();
      await new Promise((r) => fake.close(r));
    }
  });

  it('passes over a dead first server', async () => {
    const twoServers = createKubeqlClient({ server: ['http://127.0.0.1:9', api.server.url], token: api.token, retryWindowMs: 5_000 });
    try {
      expect((await twoServers.rest<Lease>('GET', leasePath('rest-n1'))).metadata.name).toBe('rest-n1');
    } finally {
      await twoServers.close();
    }
  });
});
