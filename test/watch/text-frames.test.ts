/**
 * The outbox writes batches of `next` frames to the TCP socket itself (server/api/ws/text-frames.ts):
 * a real ws client must read them as the same messages, whatever the length encoding (7-bit,
 * 16-bit, 64-bit) and with multi-byte UTF-8, interleaved with frames ws sends itself.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { encodeTextFrames } from '../../server/api/ws/text-frames.js';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('text frames written to the socket', () => {
  it('arrive as the same messages, in order, between frames ws sends', async () => {
    const messages = [
      '{"id":"a","type":"next","payload":{}}',
      'x'.repeat(125),
      'y'.repeat(126),
      `{"name":"${'é'.repeat(200)}","emoji":"🦆"}`,
      'z'.repeat(65_535),
      `{"big":"${'ü'.repeat(40_000)}"}`,
      '',
    ];
    server.once('connection', (socket, request) => {
      socket.send('first, by ws');
      request.socket.write(encodeTextFrames(messages.slice(0, 4)));
      socket.send('between, by ws');
      request.socket.write(encodeTextFrames(messages.slice(4)));
      socket.send('last, by ws');
    });
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const received: Array<{ text: string; binary: boolean }> = [];
    await new Promise<void>((resolve, reject) => {
      client.on('message', (data, binary) => {
        received.push({ text: String(data), binary });
        if (received.length === messages.length + 3) resolve();
      });
      client.on('error', reject);
      client.on('close', (code) => reject(new Error(`closed with ${code}`)));
    });
    client.close();
    expect(received.every((m) => !m.binary)).toBe(true);
    expect(received.map((m) => m.text)).toEqual(['first, by ws', ...messages.slice(0, 4), 'between, by ws', ...messages.slice(4), 'last, by ws']);
  });
});
