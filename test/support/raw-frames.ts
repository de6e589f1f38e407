/**
 * WebSocket frames as bytes over a plain TCP socket: the upgrade handshake by hand, then frames a
 * well-behaved client library would never send (reserved opcodes, unmasked, lying lengths).
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface RawFrameSocket {
  socket: Socket;
  /** Writes bytes as they are. */
  write(bytes: Buffer): void;
  /** Resolves with the close code of the server's close frame, or undefined when the TCP socket ended without one. */
  closed: Promise<number | undefined>;
}

/** A frame: FIN set, `opcode`, masked unless `mask` is false; `length` overrides the declared payload length. */
export function frame(opcode: number, payload: Buffer, options: { mask?: boolean; length?: number; rsv?: number } = {}): Buffer {
  const mask = options.mask ?? true;
  const length = options.length ?? payload.length;
  const head: number[] = [0x80 | ((options.rsv ?? 0) << 4) | opcode];
  const maskBit = mask ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 65536) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    head.push(maskBit | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(...big);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= key[i % 4];
  return Buffer.concat([Buffer.from(head), key, body]);
}

export const textFrame = (text: string) => frame(0x1, Buffer.from(text));

/** Opens a TCP connection to the server of `httpUrl`, upgrades it to graphql-transport-ws, and returns it. */
export async function rawFrameSocket(httpUrl: string): Promise<RawFrameSocket> {
  const url = new URL(httpUrl);
  const socket = connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => {});
  const key = randomBytes(16).toString('base64');
  socket.write(
    `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n`,
  );
  let buffered = Buffer.alloc(0);
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      const head = buffered.subarray(0, end).toString();
      buffered = buffered.subarray(end + 4);
      if (!head.startsWith('HTTP/1.1 101')) reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
      else resolve();
    };
    socket.on('data', onData);
  });
  const closed = new Promise<number | undefined>((resolve) => {
    let code: number | undefined;
    const scan = () => {
      // Server frames are unmasked; find a close frame (opcode 8) among them.
      while (buffered.length >= 2) {
        const opcode = buffered[0] & 0x0f;
        let length = buffered[1] & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffered.length < 4) return;
          length = buffered.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffered.length < 10) return;
          length = Number(buffered.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffered.length < offset + length) return;
        if (opcode === 0x8 && code === undefined) code = length >= 2 ? buffered.readUInt16BE(offset) : 1005;
        buffered = buffered.subarray(offset + length);
      }
    };
    scan();
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      scan();
    });
    socket.once('close', () => resolve(code));
  });
  return { socket, write: (bytes) => socket.write(bytes), closed };
}
