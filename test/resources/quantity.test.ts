import { describe, it, expect } from 'vitest';
import { KubeqlError } from '../../server/errors.js';
import { canonicalQuantity, milli, parseQuantity, parseQuantityExact, quantityErrors } from '../../server/resources/quantity.js';

const FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const SUFFIX = "unable to parse quantity's suffix";
const NUMERIC = 'unable to parse numeric part of quantity';

describe('parseQuantity', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['500m', 0.5],
    ['100m', 0.1],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['1.', 1],
    ['2k', 2000],
    ['1M', 1e6],
    ['1G', 1e9],
    ['1T', 1e12],
    ['1P', 1e15],
    ['1E', 1e18],
    ['1Ki', 1024],
    ['1Mi', 1048576],
    ['1Gi', 1073741824],
    ['1Ti', 1099511627776],
    ['1Pi', 2 ** 50],
    ['1Ei', 2 ** 60],
    ['1.5Gi', 1610612736],
    ['128974848', 128974848],
    ['129e6', 129e6],
    ['1e3', 1000],
    ['1E3', 1000],
    ['1e+3', 1000],
    ['1e-3', 0.001],
    ['5u', 0.000005],
    ['5n', 0.000000005],
    ['-1', -1],
    ['+2', 2],
    ['-500m', -0.5],
    ['007', 7],
    [' 1Gi ', 1073741824],
    // Rounded away from zero to a whole nano, as Kubernetes.
    ['0.1n', 1e-9],
    ['-0.1n', -1e-9],
    ['1e-30', 1e-9],
    // Kubernetes quirks: a bare sign or point is zero.
    ['+', 0],
    ['.', 0],
    // Numbers are accepted as their decimal text.
    [0.25, 0.25],
    [3, 3],
    [1e-7, 1e-7], // String(1e-7) is '1e-7'
    [-0, 0],
  ] as [unknown, number][])('%j → %d', (value, expected) => {
    expect(parseQuantity(value)).toBe(expected);
    expect(quantityErrors(value)).toEqual([]);
  });

  it.each([
    ['', FORMAT],
    ['abc', FORMAT],
    ['1 Gi', FORMAT],
    ['1.2.3', FORMAT],
    ['1e3k', FORMAT],
    ['1Gi1', SUFFIX],
    ['1gi', FORMAT],
    ['--1', SUFFIX],
    ['1mi', SUFFIX],
    ['1e', SUFFIX],
    ['1KiB', FORMAT],
    ['1Ee3', SUFFIX],
    ['1e99999999999999999999', SUFFIX],
    ['.Ei', NUMERIC],
    ['+Pi', NUMERIC],
    [Number.NaN, FORMAT],
    [Number.POSITIVE_INFINITY, FORMAT],
  ] as [unknown, string][])('rejects %j', (value, message) => {
    expect(parseQuantity(value)).toBeUndefined();
    expect(quantityErrors(value)).toEqual([message]);
  });

  it.each([
    ['1e30', 9223372036854775807],
    ['99999999999999999999', 9223372036854775807],
    ['-1e30', -9223372036854775807],
    [1e21, 9223372036854775807], // '1e+21'
    ['9Ei', 9223372036854775807],
  ] as [unknown, number][])('%j is beyond the bound: parsed capped at 2^63-1, refused by validation', (value, capped) => {
    expect(parseQuantity(value)).toBe(capped);
    expect(quantityErrors(value)).toEqual(['must be no more than 9223372036854775807 in magnitude (2^63-1)']);
  });

  it('rejects non-quantity types', () => {
    for (const v of [true, null, undefined, {}, ['1']]) {
      expect(parseQuantity(v)).toBeUndefined();
      expect(quantityErrors(v)).toEqual(['must be a quantity string or number']);
    }
  });
});

describe('milli', () => {
  it.each([
    ['1', 1000],
    ['500m', 500],
    ['0.5', 500],
    ['1.0001', 1001],
    ['1.0001m', 2],
    ['1n', 1],
    ['0', 0],
    ['-1.0001m', -2],
    ['1Ki', 1024000],
    [0.1, 100],
    [2, 2000],
  ] as [unknown, number][])('%j → %d', (value, expected) => {
    expect(milli(value)).toBe(expected);
  });

  it('throws BAD_USER_INPUT for malformed quantities', () => {
    expect(() => milli('lots')).toThrow(KubeqlError);
    expect(() => milli('lots')).toThrow(/invalid quantity "lots": quantities must match/);
  });
});

describe('parses remembered (a bounded memo of recent texts)', () => {
  const answers = (q: unknown) => ({ value: parseQuantity(q), errors: quantityErrors(q), exact: parseQuantityExact(q), canonical: canonicalQuantity(q), milli: (() => { try { return milli(q); } catch (e) { return (e as KubeqlError).code; } })() });
  const texts = ['100m', '128Mi', '0.5', '1024Mi', '1e3', '12Ei', '-1', 'x', '1.5Gi', ' 2 ', '+.5'];

  it('answers a text asked again as it did the first time, after the memo has filled and emptied many times', () => {
    const first = texts.map(answers);
    expect(first[0]).toMatchObject({ value: 0.1, errors: [], canonical: '100m', milli: 100 });
    expect(first[3]).toMatchObject({ canonical: '1Gi' });
    expect(first[7]).toMatchObject({ value: undefined, errors: [FORMAT], canonical: undefined, milli: 'BAD_USER_INPUT' });
    expect(first[5]).toMatchObject({ canonical: undefined });
    // 5,000 other texts: far more than the memo holds.
    for (let i = 0; i < 5000; i++) expect(parseQuantity(`${i}m`)).toBeCloseTo(i / 1000, 9);
    expect(texts.map(answers)).toEqual(first);
    // A long text is parsed each time, and answered the same.
    const long = `${'1'.repeat(70)}m`;
    expect(answers(long)).toEqual(answers(long));
    expect(quantityErrors(long)).toEqual(['must be no more than 9223372036854775807 in magnitude (2^63-1)']);
  });

  it('shares answers no caller can alter', () => {
    const exact = parseQuantityExact('250m')!;
    expect(Object.isFrozen(exact)).toBe(true);
    expect(() => {
      (exact as { nanos: bigint }).nanos = 0n;
    }).toThrow(TypeError);
    expect(parseQuantityExact('250m')!.nanos).toBe(250_000_000n);
    expect(canonicalQuantity('250m')).toBe('250m');
  });
});
