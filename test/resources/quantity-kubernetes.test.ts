/**
 * apimachinery's own quantity tables (k8s.io/apimachinery/pkg/api/resource/quantity_test.go), run
 * against Kubeql's parser and canonical form: TestQuantityParse (exact values and formats),
 * TestQuantityString (canonical text, and an alternate spelling that canonicalizes to it),
 * TestQuantityParseEmit, TestParseQuantity (values around int64's limits and their canonical text).
 *
 * Where Kubeql deliberately differs: Kubernetes caps binary quantities at 2^63-1 and keeps decimal
 * ones unbounded; Kubeql refuses any quantity beyond 2^63-1 in magnitude (quantity.ts says why).
 * ParseQuantity refuses surrounding whitespace, but quantities reach Kubeql through JSON, whose
 * decoder trims it (TestJSONWhitespace), as Kubeql does.
 */
import { describe, expect, it } from 'vitest';
import { canonicalQuantity, canonicalText, parseQuantityExact, quantityErrors, type QuantityFormat } from '../../server/resources/quantity.js';

const MAX = 2n ** 63n - 1n;
const BOUND = 'must be no more than 9223372036854775807 in magnitude (2^63-1)';

/** decQuantity(value, scale, format) in nano-units. */
function nanosOf(value: number, scale: number): bigint {
  const shift = scale + 9;
  return shift >= 0 ? BigInt(value) * 10n ** BigInt(shift) : BigInt(value) / 10n ** BigInt(-shift);
}

/** An exact decimal string ('-999.1') in nano-units. */
function decimalNanos(text: string): bigint {
  const negative = text.startsWith('-');
  const [int, frac = ''] = text.replace(/^[-+]/, '').split('.');
  const nanos = BigInt(int + frac.padEnd(9, '0').slice(0, 9));
  return negative ? -nanos : nanos;
}

/** TestQuantityParse: input, value × 10^scale, format (decQuantity). */
const PARSE: Array<[string, number, number, QuantityFormat]> = [
    ['0', 0, 0, 'DecimalSI'],
    ['0n', 0, 0, 'DecimalSI'],
    ['0u', 0, 0, 'DecimalSI'],
    ['0m', 0, 0, 'DecimalSI'],
    ['0Ki', 0, 0, 'BinarySI'],
    ['0k', 0, 0, 'DecimalSI'],
    ['0Mi', 0, 0, 'BinarySI'],
    ['0M', 0, 0, 'DecimalSI'],
    ['0Gi', 0, 0, 'BinarySI'],
    ['0G', 0, 0, 'DecimalSI'],
    ['0Ti', 0, 0, 'BinarySI'],
    ['0T', 0, 0, 'DecimalSI'],
    ['1', 1, 0, 'DecimalSI'],
    ['1Ki', 1024, 0, 'BinarySI'],
    ['8Ki', 8*1024, 0, 'BinarySI'],
    ['7Mi', 7*1024*1024, 0, 'BinarySI'],
    ['6Gi', 6*1024*1024*1024, 0, 'BinarySI'],
    ['5Ti', 5*1024*1024*1024*1024, 0, 'BinarySI'],
    ['4Pi', 4*1024*1024*1024*1024*1024, 0, 'BinarySI'],
    ['3Ei', 3*1024*1024*1024*1024*1024*1024, 0, 'BinarySI'],
    ['10Ti', 10*1024*1024*1024*1024, 0, 'BinarySI'],
    ['100Ti', 100*1024*1024*1024*1024, 0, 'BinarySI'],
    ['5n', 5, -9, 'DecimalSI'],
    ['4u', 4, -6, 'DecimalSI'],
    ['3m', 3, -3, 'DecimalSI'],
    ['9', 9, 0, 'DecimalSI'],
    ['8k', 8, 3, 'DecimalSI'],
    ['50k', 5, 4, 'DecimalSI'],
    ['7M', 7, 6, 'DecimalSI'],
    ['6G', 6, 9, 'DecimalSI'],
    ['5T', 5, 12, 'DecimalSI'],
    ['40T', 4, 13, 'DecimalSI'],
    ['300T', 3, 14, 'DecimalSI'],
    ['2P', 2, 15, 'DecimalSI'],
    ['1E', 1, 18, 'DecimalSI'],
    ['1E-3', 1, -3, 'DecimalExponent'],
    ['1e3', 1, 3, 'DecimalExponent'],
    ['1E6', 1, 6, 'DecimalExponent'],
    ['1e9', 1, 9, 'DecimalExponent'],
    ['1E12', 1, 12, 'DecimalExponent'],
    ['1e15', 1, 15, 'DecimalExponent'],
    ['1E18', 1, 18, 'DecimalExponent'],
    ['1e14', 1, 14, 'DecimalExponent'],
    ['1e13', 1, 13, 'DecimalExponent'],
    ['1e3', 1, 3, 'DecimalExponent'],
    ['100.035k', 100035, 0, 'DecimalSI'],
    ['0.001', 1, -3, 'DecimalSI'],
    ['0.0005k', 5, -1, 'DecimalSI'],
    ['0.005', 5, -3, 'DecimalSI'],
    ['0.05', 5, -2, 'DecimalSI'],
    ['0.5', 5, -1, 'DecimalSI'],
    ['0.00050k', 5, -1, 'DecimalSI'],
    ['0.00500', 5, -3, 'DecimalSI'],
    ['0.05000', 5, -2, 'DecimalSI'],
    ['0.50000', 5, -1, 'DecimalSI'],
    ['0.5e0', 5, -1, 'DecimalExponent'],
    ['0.5e-1', 5, -2, 'DecimalExponent'],
    ['0.5e-2', 5, -3, 'DecimalExponent'],
    ['0.5e0', 5, -1, 'DecimalExponent'],
    ['10.035M', 10035, 3, 'DecimalSI'],
    ['1.2e3', 12, 2, 'DecimalExponent'],
    ['1.3E+6', 13, 5, 'DecimalExponent'],
    ['1.40e9', 14, 8, 'DecimalExponent'],
    ['1.53E12', 153, 10, 'DecimalExponent'],
    ['1.6e15', 16, 14, 'DecimalExponent'],
    ['1.7E18', 17, 17, 'DecimalExponent'],
    ['9.01', 901, -2, 'DecimalSI'],
    ['8.1k', 81, 2, 'DecimalSI'],
    ['7.123456M', 7123456, 0, 'DecimalSI'],
    ['6.987654321G', 6987654321, 0, 'DecimalSI'],
    ['5.444T', 5444, 9, 'DecimalSI'],
    ['40.1T', 401, 11, 'DecimalSI'],
    ['300.2T', 3002, 11, 'DecimalSI'],
    ['2.5P', 25, 14, 'DecimalSI'],
    ['1.01E', 101, 16, 'DecimalSI'],
    ['3.001n', 4, -9, 'DecimalSI'],
    ['1.1E-9', 2, -9, 'DecimalExponent'],
    ['0.0000000001', 1, -9, 'DecimalSI'],
    ['0.0000000005', 1, -9, 'DecimalSI'],
    ['0.00000000050', 1, -9, 'DecimalSI'],
    ['0.5e-9', 1, -9, 'DecimalExponent'],
    ['0.9n', 1, -9, 'DecimalSI'],
    ['0.00000012345', 124, -9, 'DecimalSI'],
    ['0.00000012354', 124, -9, 'DecimalSI'],
    ['12E', 12, 18, 'DecimalSI'],
    ['100.035Ki', 10243584, -2, 'BinarySI'],
    ['0.5Mi', .5*1024*1024, 0, 'BinarySI'],
    ['0.05Gi', 536870912, -1, 'BinarySI'],
    ['0.025Ti', 274877906944, -1, 'BinarySI'],
    ['0.000000000001Ki', 2, -9, 'DecimalSI'],
    ['.001', 1, -3, 'DecimalSI'],
    ['.0001k', 100, -3, 'DecimalSI'],
    ['1.', 1, 0, 'DecimalSI'],
    ['1.G', 1, 9, 'DecimalSI'],
];
/** TestQuantityParse: capped by Kubernetes at maxAllowed (2^63-1); refused by Kubeql. */
const CAPPED = ["9Ei", "9223372036854775807Ki"];
/** TestQuantityParse: invalid. */
const INVALID = ['1.1.M', '1+1.0M', '0.1mi', '0.1am', 'aoeu', '.5i', '1i', '-3.01i', '-3.01e-', ' 1', '1 '];
/** TestQuantityString: value, scale, format, canonical text, an alternate spelling of it. */
const STRING: Array<[number, number, QuantityFormat, string, string]> = [
    [1024*1024*1024, 0, 'BinarySI', '1Gi', '1024Mi'],
    [300*1024*1024, 0, 'BinarySI', '300Mi', '307200Ki'],
    [6*1024, 0, 'BinarySI', '6Ki', ''],
    [1001*1024*1024*1024, 0, 'BinarySI', '1001Gi', '1025024Mi'],
    [1024*1024*1024*1024, 0, 'BinarySI', '1Ti', '1024Gi'],
    [5, 0, 'BinarySI', '5', '5000m'],
    [500, -3, 'BinarySI', '500m', '0.5'],
    [1, 9, 'DecimalSI', '1G', '1000M'],
    [1000, 6, 'DecimalSI', '1G', '0.001T'],
    [1000000, 3, 'DecimalSI', '1G', ''],
    [1000000000, 0, 'DecimalSI', '1G', ''],
    [1, -3, 'DecimalSI', '1m', '1000u'],
    [80, -3, 'DecimalSI', '80m', ''],
    [1080, -3, 'DecimalSI', '1080m', '1.08'],
    [108, -2, 'DecimalSI', '1080m', '1080000000n'],
    [10800, -4, 'DecimalSI', '1080m', ''],
    [300, 6, 'DecimalSI', '300M', ''],
    [1, 12, 'DecimalSI', '1T', ''],
    [1234567, 6, 'DecimalSI', '1234567M', ''],
    [1234567, -3, 'BinarySI', '1234567m', ''],
    [3, 3, 'DecimalSI', '3k', ''],
    [1025, 0, 'BinarySI', '1025', ''],
    [0, 0, 'DecimalSI', '0', ''],
    [0, 0, 'BinarySI', '0', ''],
    [1, 9, 'DecimalExponent', '1e9', '.001e12'],
    [1, -3, 'DecimalExponent', '1e-3', '0.001e0'],
    [1, -9, 'DecimalExponent', '1e-9', '1000e-12'],
    [80, -3, 'DecimalExponent', '80e-3', ''],
    [300, 6, 'DecimalExponent', '300e6', ''],
    [1, 12, 'DecimalExponent', '1e12', ''],
    [1, 3, 'DecimalExponent', '1e3', ''],
    [3, 3, 'DecimalExponent', '3e3', ''],
    [3, 3, 'DecimalSI', '3k', ''],
    [0, 0, 'DecimalExponent', '0', '00'],
    [1, -9, 'DecimalSI', '1n', ''],
    [80, -9, 'DecimalSI', '80n', ''],
    [1080, -9, 'DecimalSI', '1080n', ''],
    [108, -8, 'DecimalSI', '1080n', ''],
    [10800, -10, 'DecimalSI', '1080n', ''],
    [1, -6, 'DecimalSI', '1u', ''],
    [80, -6, 'DecimalSI', '80u', ''],
    [1080, -6, 'DecimalSI', '1080u', ''],
];
/** TestQuantityParseEmit: input, canonical text. */
const EMIT: Array<[string, string]> = [
    ['1Ki', '1Ki'],
    ['1Mi', '1Mi'],
    ['1Gi', '1Gi'],
    ['1024Mi', '1Gi'],
    ['1000M', '1G'],
    ['.001Ki', '1024m'],
    ['.000001Ki', '1024u'],
    ['.000000001Ki', '1024n'],
    ['.000000000001Ki', '2n'],
];
/** TestParseQuantity: input, exact decimal value, canonical text. */
const PARSE_QUANTITY: Array<[string, string, string]> = [
    ['-999999999999999999', '-999999999999999999', '-999999999999999999'],
    ['999999999999999999', '999999999999999999', '999999999999999999'],
    ['-999999999999999999.0', '-999999999999999999', '-999999999999999999'],
    ['999999999999999999.0', '999999999999999999', '999999999999999999'],
    ['-999999999999999999.1', '-999999999999999999.1', '-999999999999999999100m'],
    ['999999999999999999.1', '999999999999999999.1', '999999999999999999100m'],
    ['-9999999999999999999', '-9999999999999999999', '-9999999999999999999'],
    ['9999999999999999999', '9999999999999999999', '9999999999999999999'],
    ['-1E', '-1000000000000000000', '-1E'],
    ['1E', '1000000000000000000', '1E'],
    ['-1000000000000000000', '-1000000000000000000', '-1E'],
    ['1000000000000000000', '1000000000000000000', '1E'],
    ['-9999999999999999999.0', '-9999999999999999999', '-9999999999999999999'],
    ['9999999999999999999.0', '9999999999999999999', '9999999999999999999'],
    ['-1.0E', '-1000000000000000000', '-1E'],
    ['1.0E', '1000000000000000000', '1E'],
    ['-1000000000000000000.0', '-1000000000000000000', '-1E'],
    ['1000000000000000000.0', '1000000000000000000', '1E'],
    ['-9999999999999999999000m', '-9999999999999999999', '-9999999999999999999'],
    ['9999999999999999999000m', '9999999999999999999', '9999999999999999999'],
    ['-9999999999999999999.1', '-9999999999999999999.1', '-9999999999999999999100m'],
    ['9999999999999999999.1', '9999999999999999999.1', '9999999999999999999100m'],
    ['-1.0000000000000000001E', '-1000000000000000000.1', '-1000000000000000000100m'],
    ['1.0000000000000000001E', '1000000000000000000.1', '1000000000000000000100m'],
    ['-1000000000000000000.1', '-1000000000000000000.1', '-1000000000000000000100m'],
    ['1000000000000000000.1', '1000000000000000000.1', '1000000000000000000100m'],
    ['-1.000000000000000001E', '-1000000000000000001', '-1000000000000000001'],
    ['1.000000000000000001E', '1000000000000000001', '1000000000000000001'],
    ['-1000000000000000001', '-1000000000000000001', '-1000000000000000001'],
    ['1000000000000000001', '1000000000000000001', '1000000000000000001'],
    ['-10E', '-10000000000000000000', '-10E'],
    ['10E', '10000000000000000000', '10E'],
    ['-10000000000000000000', '-10000000000000000000', '-10E'],
    ['10000000000000000000', '10000000000000000000', '10E'],
    ['-10.0E', '-10000000000000000000', '-10E'],
    ['10.0E', '10000000000000000000', '10E'],
    ['-10000000000000000000.0', '-10000000000000000000', '-10E'],
    ['10000000000000000000.0', '10000000000000000000', '10E'],
    ['-10000000000000000000000m', '-10000000000000000000', '-10E'],
    ['10000000000000000000000m', '10000000000000000000', '10E'],
    ['-10.0000000000000000001E', '-10000000000000000000.1', '-10000000000000000000100m'],
    ['10.0000000000000000001E', '10000000000000000000.1', '10000000000000000000100m'],
    ['-10000000000000000000.1', '-10000000000000000000.1', '-10000000000000000000100m'],
    ['10000000000000000000.1', '10000000000000000000.1', '10000000000000000000100m'],
    ['-10.000000000000000001E', '-10000000000000000001', '-10000000000000000001'],
    ['10.000000000000000001E', '10000000000000000001', '10000000000000000001'],
    ['-10000000000000000001', '-10000000000000000001', '-10000000000000000001'],
    ['10000000000000000001', '10000000000000000001', '10000000000000000001'],
    ['-9223372036854775809', '-9223372036854775809', '-9223372036854775809'],
    ['9223372036854775806', '9223372036854775806', '9223372036854775806'],
    ['-9223372036854775809.0', '-9223372036854775809', '-9223372036854775809'],
    ['9223372036854775806.0', '9223372036854775806', '9223372036854775806'],
    ['-9223372036854775809000m', '-9223372036854775809', '-9223372036854775809'],
    ['9223372036854775806000m', '9223372036854775806', '9223372036854775806'],
    ['-9223372036854775809.1', '-9223372036854775809.1', '-9223372036854775809100m'],
    ['9223372036854775806.1', '9223372036854775806.1', '9223372036854775806100m'],
    ['-9223372036854775808', '-9223372036854775808', '-9223372036854775808'],
    ['9223372036854775807', '9223372036854775807', '9223372036854775807'],
    ['-9223372036854775808.0', '-9223372036854775808', '-9223372036854775808'],
    ['9223372036854775807.0', '9223372036854775807', '9223372036854775807'],
    ['-9223372036854775808000m', '-9223372036854775808', '-9223372036854775808'],
    ['9223372036854775807000m', '9223372036854775807', '9223372036854775807'],
    ['-9223372036854775808.1', '-9223372036854775808.1', '-9223372036854775808100m'],
    ['9223372036854775807.1', '9223372036854775807.1', '9223372036854775807100m'],
    ['-9223372036854775807', '-9223372036854775807', '-9223372036854775807'],
    ['9223372036854775808', '9223372036854775808', '9223372036854775808'],
    ['-9223372036854775807.0', '-9223372036854775807', '-9223372036854775807'],
    ['9223372036854775808.0', '9223372036854775808', '9223372036854775808'],
    ['-9223372036854775807000m', '-9223372036854775807', '-9223372036854775807'],
    ['9223372036854775808000m', '9223372036854775808', '9223372036854775808'],
    ['-9223372036854775807.1', '-9223372036854775807.1', '-9223372036854775807100m'],
    ['9223372036854775808.1', '9223372036854775808.1', '9223372036854775808100m'],
];

describe('TestQuantityParse', () => {
  it.each(PARSE)('%s', (input, value, scale, format) => {
    const nanos = nanosOf(value, scale);
    if (nanos > MAX * 10n ** 9n) {
      expect(quantityErrors(input)).toEqual([BOUND]); // 12E: beyond Kubeql's bound
      return;
    }
    for (const [sign, expected] of [['', nanos], ['+', nanos], ['-', -nanos]] as const) {
      const got = parseQuantityExact(sign + input);
      expect(got, sign + input).toMatchObject({ nanos: expected, format, overflow: false });
      expect(quantityErrors(sign + input)).toEqual([]);
    }
  });

  it.each(CAPPED)('%s: capped by Kubernetes, refused by Kubeql', (input) => {
    expect(parseQuantityExact(input)).toMatchObject({ nanos: MAX * 10n ** 9n, format: 'BinarySI', overflow: true });
    expect(quantityErrors(input)).toEqual([BOUND]);
    expect(canonicalQuantity(input)).toBeUndefined();
  });

  it.each(INVALID.filter((s) => s.trim() === s))('%j is invalid', (input) => {
    expect(parseQuantityExact(input)).toBeUndefined();
    expect(quantityErrors(input)).toHaveLength(1);
  });
});

describe('TestQuantityString', () => {
  it.each(STRING)('%d × 10^%d (%s) is %s', (value, scale, format, canonical, alternate) => {
    const nanos = nanosOf(value, scale);
    expect(canonicalText({ nanos, format })).toBe(canonical);
    if (nanos !== 0n) expect(canonicalText({ nanos: -nanos, format })).toBe(`-${canonical}`);
    expect(canonicalQuantity(canonical)).toBe(canonical);
    if (alternate) expect(canonicalQuantity(alternate)).toBe(canonical);
  });
});

describe('TestQuantityParseEmit', () => {
  it.each(EMIT)('%s → %s', (input, canonical) => {
    expect(canonicalQuantity(input)).toBe(canonical);
    expect(canonicalQuantity(`-${input}`)).toBe(`-${canonical}`);
  });
});

describe('TestParseQuantity', () => {
  it.each(PARSE_QUANTITY)('%s', (input, exact, canonical) => {
    const nanos = decimalNanos(exact);
    const abs = nanos < 0n ? -nanos : nanos;
    if (abs > MAX * 10n ** 9n) {
      expect(quantityErrors(input)).toEqual([BOUND]);
      return;
    }
    expect(parseQuantityExact(input)?.nanos).toBe(nanos);
    expect(canonicalQuantity(input)).toBe(canonical);
  });
});

describe('numbers, as JSON carries them', () => {
  it.each([
    [0.5, '500m'],
    [1, '1'],
    [1024, '1024'],
    [0.1, '100m'],
    [1e-9, '1e-9'], // the number's JSON text is 1e-9: an exponent, as Kubernetes reads it
    [1.5e3, '1500'],
    [2e9, '2G'],
  ] as const)('%d → %s', (value, canonical) => {
    expect(canonicalQuantity(value)).toBe(canonical);
  });
});
