/**
 * WebSocket text frames as a server writes them (RFC 6455 §5.2: FIN set, opcode 1, unmasked),
 * several messages encoded into one buffer so that a batch leaves in one write to the socket.
 */

/** Bytes of the frame header for a payload of `length` bytes. */
function headerBytes(length: number): number {
  return length < 126 ? 2 : length < 65_536 ? 4 : 10;
}

/** Encodes `messages` (UTF-8), each as one complete text frame, into one buffer. */
export function encodeTextFrames(messages: readonly string[]): Buffer {
  const lengths = messages.map((m) => Buffer.byteLength(m));
  let total = 0;
  for (const n of lengths) total += headerBytes(n) + n;
  const buffer = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < messages.length; i++) {
    const n = lengths[i];
    buffer[at++] = 0x81; // FIN, text
    if (n < 126) buffer[at++] = n;
    else if (n < 65_536) {
      buffer[at++] = 126;
      buffer.writeUInt16BE(n, at);
      at += 2;
    } else {
      buffer[at++] = 127;
      buffer.writeBigUInt64BE(BigInt(n), at);
      at += 8;
    }
    at += buffer.write(messages[i], at);
  }
  return buffer;
}
