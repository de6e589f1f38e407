import { describe, expect, it } from 'vitest';
import { timestamp } from '../../server/api/verbs/verb-context.js';

describe('timestamp (RFC 3339, second precision, the last second remembered)', () => {
  it('formats each time as its own second, whichever second was formatted before', () => {
    const expected = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const times = [1_700_000_000_999, 1_700_000_000_000, 1_700_000_001_000, 1_700_000_000_500, 0, 999, -1, -1000, -1001, 253_402_300_799_000, 1_700_000_001_001];
    for (const ms of [...times, ...times.reverse()]) expect(timestamp(ms)).toBe(expected(ms));
    expect(timestamp(1_700_000_000_999)).toBe('2023-11-14T22:13:20Z');
    expect(timestamp(-1)).toBe('1969-12-31T23:59:59Z');
  });
});
