/**
 * WebSocket text frames as a server writes them (RFC 6455 §5.2: FIN set, opcode 1, unmasked),
 * several messages encoded into one buffer so that a batch leaves in one write to the socket.
 */

/** Bytes of the frame header for a payload of `length` bytes. */
export function headerBytes(length: number): number {
  return length < 126 ? 2 : length < 65_536 ? 4 : 10;
}

/** Writes the header of a text frame carrying `length` bytes at `at`; returns where its payload starts. */
export function writeHeader(buffer: Buffer, at: number, length: number): number {
  buffer[at++] = 0x81; // FIN, text
  if (length < 126) buffer[at++] = length;
  else if (length < 65_536) {
    buffer[at++] = 126;
    buffer.writeUInt16BE(length, at);
    at += 2;
  } else {
    buffer[at++] = 127;
    buffer.writeBigUInt64BE(BigInt(length), at);
    at += 8;
  }
  return at;
}

/** Encodes `messages` (UTF-8), each as one complete text frame, into one buffer. */
export function encodeTextFrames(messages: readonly string[]): Buffer {
  const lengths = messages.map((m) => Buffer.byteLength(m));
  let total = 0;
  for (const n of lengths) total += headerBytes(n) + n;
  const buffer = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < messages.length; i++) {
    at = writeHeader(buffer, at, lengths[i]);
    at += buffer.write(messages[i], at);
  }
  return buffer;
}
