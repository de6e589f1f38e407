/** The protobuf request decoder on hostile bytes: every malformed body is a 400 or 415 Status error, never a crash or a hang; a typed client's Namespace decodes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeProtobufBody } from '../../server/api/rest/protobuf.js';
import { RestError } from '../../server/api/rest/status.js';

const MAGIC = Buffer.from('k8s\u0000', 'latin1');

function outcome(bytes: Uint8Array): 'ok' | number {
  try {
    decodeProtobufBody(Buffer.concat([MAGIC, Buffer.from(bytes)]));
    return 'ok';
  } catch (e) {
    if (e instanceof RestError) return e.code;
    throw e;
  }
}

describe('protobuf request bodies', () => {
  it('answers random bytes after the magic with a Status error or an object', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        expect(['ok', 400, 415]).toContain(outcome(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses lengths past the end and a missing magic', () => {
    expect(outcome(Uint8Array.from([0x12, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toBe(400);
    expect(() => decodeProtobufBody(Buffer.from('{"kind":"Pod"}'))).toThrow(RestError);
  });

  it('decodes a typed client’s Namespace', () => {
    const typeMeta = Buffer.from([0x0a, 0x02, ...Buffer.from('v1'), 0x12, 0x09, ...Buffer.from('Namespace')]);
    const meta = Buffer.from([0x0a, 0x06, ...Buffer.from('team-a'), 0x5a, 0x0c, 0x0a, 0x04, ...Buffer.from('team'), 0x12, 0x04, ...Buffer.from('blue')]);
    const raw = Buffer.from([0x0a, meta.length, ...meta]);
    const body = Buffer.concat([MAGIC, Buffer.from([0x0a, typeMeta.length]), typeMeta, Buffer.from([0x12, raw.length]), raw]);
    expect(decodeProtobufBody(body)).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { team: 'blue' } } });
  });
});
