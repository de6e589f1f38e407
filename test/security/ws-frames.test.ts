/**
 * Malformed WebSocket frames, as raw bytes over TCP, before and after connection_init, with and
 * without a token: each ends its own socket with 1002 (protocol error) or 1009 (too big), and the
 * API server goes on answering everyone else.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api.js';
import { frame, rawFrameSocket, textFrame } from '../support/raw-frames.js';
import { rawConnect } from '../support/raw-ws.js';

const LIMIT = 64 * 1024;
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ limits: { bodyBytes: LIMIT } });
});
afterAll(() => api.close());

const BAD_FRAMES: Array<[string, () => Buffer, number]> = [
  ['a reserved data opcode', () => frame(0x3, Buffer.from('x')), 1002],
  ['a reserved control opcode', () => frame(0xb, Buffer.from('x')), 1002],
  ['an unmasked client frame', () => frame(0x1, Buffer.from('{"type":"ping"}'), { mask: false }), 1002],
  ['reserved bits set', () => frame(0x1, Buffer.from('{"type":"ping"}'), { rsv: 0b010 }), 1002],
  ['a control frame with a 16-bit length', () => frame(0x9, Buffer.alloc(130)), 1002],
  ['a declared length past 2^53', () => Buffer.from([0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]), 1009],
  ['a declared length over the body limit', () => frame(0x1, Buffer.alloc(16), { length: LIMIT + 1 }), 1009],
  ['a continuation frame with nothing to continue', () => frame(0x0, Buffer.from('x')), 1002],
  ['invalid UTF-8 in a text frame', () => frame(0x1, Buffer.from([0xc3, 0x28])), 1007],
];

async function serverAnswers(): Promise<void> {
  const data = await api.ok<{ revision: number }>('{ revision }');
  expect(typeof data.revision).toBe('number');
}

describe('malformed WebSocket frames end one socket, never the server', () => {
  for (const when of ['before connection_init', 'after connection_init', 'after an init without a token'] as const) {
    it.each(BAD_FRAMES)(`${when}: %s is closed with its code`, async (_name, bytes, code) => {
      const raw = await rawFrameSocket(api.server.url);
      if (when === 'after connection_init') raw.write(textFrame(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${api.token}` } })));
      if (when === 'after an init without a token') raw.write(textFrame(JSON.stringify({ type: 'connection_init' })));
      raw.write(bytes());
      const closedWith = await raw.closed;
      // Refused at init (4403), or the frame's own code when the frame is read first.
      if (when === 'after an init without a token') expect([4403, code]).toContain(closedWith);
      else expect(closedWith).toBe(code);
      await serverAnswers();
    });
  }

  it('a bystander subscription survives a burst of bad sockets', async () => {
    const bystander = await rawConnect(api.server.url);
    await bystander.init();
    bystander.subscribe('w', 'subscription { watch(kind: Namespace) { type object { ... on Namespace { metadata { name } } } } }');
    await bystander.waitFor(() => bystander.of('w').some((m) => m.payload?.data?.watch?.type === 'BOOKMARK'));
    const sockets = await Promise.all(BAD_FRAMES.map(() => rawFrameSocket(api.server.url)));
    sockets.forEach((s, i) => s.write(BAD_FRAMES[i][1]()));
    const codes = await Promise.all(sockets.map((s) => s.closed));
    expect(codes).toEqual(BAD_FRAMES.map(([, , code]) => code));
    await api.ok('mutation { createNamespace(input: { metadata: { name: "after-bad-frames" } }) { metadata { name } } }');
    await bystander.waitFor(() => bystander.of('w').some((m) => m.payload?.data?.watch?.object?.metadata?.name === 'after-bad-frames'));
    bystander.close();
  });

  it('a WebSocket message over the body limit is closed with 1009 and stores nothing', async () => {
    const conn = await rawConnect(api.server.url);
    await conn.init();
    const big = { metadata: { name: 'too-big-ws', annotations: { a: 'x'.repeat(LIMIT) } } };
    conn.subscribe('m', 'mutation($i: NamespaceInput!) { createNamespace(input: $i) { metadata { name } } }', { i: big });
    expect((await conn.closed).code).toBe(1009);
    const res = await api.gql('{ namespace(name: "too-big-ws") { metadata { name } } }');
    expect(res.data?.namespace ?? null).toBeNull();
  });

  it('a socket that ends in the middle of a frame, or of the handshake, is forgotten', async () => {
    const raw = await rawFrameSocket(api.server.url);
    raw.write(frame(0x1, Buffer.alloc(1000)).subarray(0, 500));
    raw.socket.destroy();
    await raw.closed;
    await serverAnswers();
  });

  it.each([
    ['a request line that is not HTTP', 'GARBAGE \x00\x01\r\n\r\n'],
    ['an upgrade with an unknown WebSocket version', 'GET /graphql HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 99\r\n\r\n'],
    ['an upgrade without a key', 'GET /graphql HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n'],
    ['a header block that never ends', `GET /graphql HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(20_000)}`],
  ])('%s is answered 4xx (or cut) and the server goes on', async (_what, text) => {
    const url = new URL(api.server.url);
    const socket = connect(Number(url.port), url.hostname);
    socket.on('error', () => {});
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(text);
    if (text.includes('a'.repeat(100))) socket.write('b'.repeat(100_000));
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      setTimeout(() => (socket.destroy(), resolve()), 5000);
    });
    if (answer) expect(answer).toMatch(/^HTTP\/1\.1 4\d\d/);
    await serverAnswers();
  });
});
