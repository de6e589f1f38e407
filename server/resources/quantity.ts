/** Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource.ParseQuantity): '500m', '1Gi', '1e3' as exact base-unit values. */
import { KubeqlError } from '../errors.js';

const ERR_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const ERR_SUFFIX = "unable to parse quantity's suffix";
const ERR_NUMERIC = 'unable to parse numeric part of quantity';

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
/** Kubernetes caps quantities at ±(2^63-1); in nano-units. */
const MAX_NANOS = (2n ** 63n - 1n) * 10n ** 9n;
const NANOS_PER_UNIT = 10n ** 9n;

/** strconv.ParseInt(s, 10, 64), or undefined. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return BigInt.asIntN(64, n) === n ? n : undefined;
}

/** ⌈a / b⌉ for a ≥ 0, b > 0. */
const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/** The exact value in nano-units: rounded away from zero to a whole nano and capped, as ParseQuantity does; or its error. */
function parseNanos(input: unknown): { nanos: bigint } | { error: string } {
  let str: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { error: ERR_FORMAT };
    str = String(input);
  } else if (typeof input === 'string') str = input.trim(); // as Quantity.UnmarshalJSON
  else return { error: 'must be a quantity string or number' };
  if (str === '') return { error: ERR_FORMAT };
  // The same split as parseQuantityString's greedy scan: sign, numerator (leading zeros dropped), denominator, suffix.
  const m = /^([+-]?)0*([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/.exec(str);
  if (!m) return { error: ERR_FORMAT };
  const [, sign, num, denom = '', suffix] = m;

  let base: 2 | 10 = 10;
  let exponent: number;
  if (Object.hasOwn(DECIMAL_SUFFIXES, suffix)) exponent = DECIMAL_SUFFIXES[suffix];
  else if (Object.hasOwn(BINARY_SUFFIXES, suffix)) [base, exponent] = [2, BINARY_SUFFIXES[suffix]];
  else if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const e = parseInt64(suffix.slice(1));
    if (e === undefined) return { error: ERR_SUFFIX };
    exponent = Number(BigInt.asIntN(32, e)); // Go truncates the exponent to int32
  } else return { error: ERR_SUFFIX };

  // A mantissa with no digit at all ('.', '+Ei') is 0 on Kubernetes' fast path but fails its slow path.
  const mantissa = str.slice(0, str.length - suffix.length);
  const digitless = !/[0-9]/.test(mantissa) && str.length > sign.length; // a bare sign returns 0 early
  if (digitless && (base === 2 ? exponent >= 50 : exponent < -9)) return { error: ERR_NUMERIC };

  const scaled = BigInt((num || '0') + denom) * (base === 2 ? 2n ** BigInt(exponent) : 1n);
  if (scaled === 0n) return { nanos: 0n };
  const shift = (base === 10 ? exponent : 0) - denom.length + 9; // nanos = scaled × 10^shift
  const width = scaled.toString().length;
  let nanos: bigint;
  if (shift >= 0) nanos = width + shift > 29 ? MAX_NANOS : scaled * 10n ** BigInt(shift);
  else nanos = -shift > width ? 1n : ceilDiv(scaled, 10n ** BigInt(-shift));
  if (nanos > MAX_NANOS) nanos = MAX_NANOS;
  return { nanos: sign === '-' ? -nanos : nanos };
}

/** Exact decimal text of nanos / 10^9, so Number() rounds once. */
function nanosToNumber(nanos: bigint): number {
  if (nanos === 0n) return 0;
  const abs = nanos < 0n ? -nanos : nanos;
  const text = `${abs / NANOS_PER_UNIT}.${(abs % NANOS_PER_UNIT).toString().padStart(9, '0')}`;
  return Number(nanos < 0n ? `-${text}` : text);
}

/** A quantity (number, or string such as '500m', '1Gi', '1e3', '1.5') in base units, or undefined when malformed. */
export function parseQuantity(value: unknown): number | undefined {
  const r = parseNanos(value);
  return 'error' in r ? undefined : nanosToNumber(r.nanos);
}

/** Why a quantity is invalid, worded as Kubernetes' ParseQuantity errors; empty when valid. */
export function quantityErrors(value: unknown): string[] {
  const r = parseNanos(value);
  return 'error' in r ? [r.error] : [];
}

/** Quantity.MilliValue: the value in integer thousandths, rounded away from zero ('1.0001m' → 2). Throws BAD_USER_INPUT when malformed. */
export function milli(value: unknown): number {
  const r = parseNanos(value);
  if ('error' in r) throw new KubeqlError('BAD_USER_INPUT', `invalid quantity ${JSON.stringify(value)}: ${r.error}`, { value });
  const abs = r.nanos < 0n ? -r.nanos : r.nanos;
  const millis = ceilDiv(abs, 10n ** 6n);
  return millis === 0n ? 0 : Number(r.nanos < 0n ? -millis : millis);
}
