/**
 * Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource): ParseQuantity's exact
 * values ('500m', '1Gi', '1e3'), its formats (DecimalSI, BinarySI, DecimalExponent), and the
 * canonical text the API server writes back (Quantity.String: '0.5' → '500m', '1024Mi' → '1Gi').
 *
 * Bound: Kubernetes caps binary quantities at 2^63-1 and keeps decimal ones unbounded; Kubeql
 * refuses any quantity whose magnitude exceeds 2^63-1 base units (`quantityErrors`), so a stored
 * value is always the value that was written.
 */
import { KubeqlError } from '../errors.js';

const ERR_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const ERR_SUFFIX = "unable to parse quantity's suffix";
const ERR_NUMERIC = 'unable to parse numeric part of quantity';

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
/** Kubernetes' maxAllowed, 2^63-1 base units; in nano-units. */
const MAX_NANOS = (2n ** 63n - 1n) * 10n ** 9n;
const ERR_BOUND = 'must be no more than 9223372036854775807 in magnitude (2^63-1)';

/** How a quantity is written, as Kubernetes' Format: the canonical text keeps it. */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** A parsed quantity: its exact value in nano-units (rounded away from zero to a whole nano, capped at 2^63-1 units). */
export interface ExactQuantity {
  nanos: bigint;
  format: QuantityFormat;
  /** The value written was beyond 2^63-1 units, so `nanos` is the cap, not the value. */
  overflow: boolean;
}
const NANOS_PER_UNIT = 10n ** 9n;

/** strconv.ParseInt(s, 10, 64), or undefined. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return BigInt.asIntN(64, n) === n ? n : undefined;
}

/** ⌈a / b⌉ for a ≥ 0, b > 0. */
const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/**
 * Parses of quantity strings seen lately: every pod write parses each of its containers' requests
 * and limits three times (canonical text, validation, exact value), and a cluster's pods repeat a
 * few dozen texts ('100m', '128Mi'). Bounded (a text of at most 64 characters, 1,024 of them,
 * forgotten all at once when full); the answers are frozen, as callers share them.
 */
const MEMO_TEXT_LENGTH = 64;
const MEMO_ENTRIES = 1024;
const parsed = new Map<string, Readonly<ExactQuantity> | Readonly<{ error: string }>>();
const canonical = new Map<string, string | undefined>();

function remember<V>(memo: Map<string, V>, key: string, value: V): V {
  if (memo.size >= MEMO_ENTRIES) memo.clear();
  memo.set(key, value);
  return value;
}

/** The exact value in nano-units: rounded away from zero to a whole nano and capped, as ParseQuantity does; or its error. */
function parseNanos(input: unknown): Readonly<ExactQuantity> | Readonly<{ error: string }> {
  if (typeof input !== 'string' || input.length > MEMO_TEXT_LENGTH) return parseNanosOnce(input);
  return parsed.get(input) ?? remember(parsed, input, Object.freeze(parseNanosOnce(input)));
}

function parseNanosOnce(input: unknown): ExactQuantity | { error: string } {
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
  let format: QuantityFormat = 'DecimalSI';
  if (Object.hasOwn(DECIMAL_SUFFIXES, suffix)) exponent = DECIMAL_SUFFIXES[suffix];
  else if (Object.hasOwn(BINARY_SUFFIXES, suffix)) [base, exponent, format] = [2, BINARY_SUFFIXES[suffix], 'BinarySI'];
  else if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const e = parseInt64(suffix.slice(1));
    if (e === undefined) return { error: ERR_SUFFIX };
    exponent = Number(BigInt.asIntN(32, e)); // Go truncates the exponent to int32
    format = 'DecimalExponent';
  } else return { error: ERR_SUFFIX };

  // A mantissa with no digit at all ('.', '+Ei') is 0 on Kubernetes' fast path but fails its slow path.
  const mantissa = str.slice(0, str.length - suffix.length);
  const digitless = !/[0-9]/.test(mantissa) && str.length > sign.length; // a bare sign returns 0 early
  if (digitless && (base === 2 ? exponent >= 50 : exponent < -9)) return { error: ERR_NUMERIC };

  const scaled = BigInt((num || '0') + denom) * (base === 2 ? 2n ** BigInt(exponent) : 1n);
  if (scaled === 0n) return { nanos: 0n, format, overflow: false };
  const shift = (base === 10 ? exponent : 0) - denom.length + 9; // nanos = scaled × 10^shift
  const width = scaled.toString().length;
  let nanos: bigint;
  let overflow = false;
  if (shift >= 0) nanos = width + shift > 29 ? ((overflow = true), MAX_NANOS) : scaled * 10n ** BigInt(shift);
  else nanos = -shift > width ? 1n : ceilDiv(scaled, 10n ** BigInt(-shift));
  if (nanos > MAX_NANOS) [nanos, overflow] = [MAX_NANOS, true];
  // A binary quantity below one unit is written as a decimal one (ParseQuantity changes the format).
  if (format === 'BinarySI' && nanos < NANOS_PER_UNIT) format = 'DecimalSI';
  return { nanos: sign === '-' ? -nanos : nanos, format, overflow };
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

/** Why a quantity is invalid, worded as Kubernetes' ParseQuantity errors, or beyond Kubeql's bound; empty when valid. */
export function quantityErrors(value: unknown): string[] {
  const r = parseNanos(value);
  if ('error' in r) return [r.error];
  return r.overflow ? [ERR_BOUND] : [];
}

/** The exact parse (value in nano-units, format), or undefined when malformed. */
export function parseQuantityExact(value: unknown): Readonly<ExactQuantity> | undefined {
  const r = parseNanos(value);
  return 'error' in r ? undefined : r;
}

const DECIMAL_SUFFIX_OF: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BINARY_SUFFIX_OF = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** Divides out every factor of `base`: (amount, times). */
function removeFactors(value: bigint, base: bigint): [bigint, number] {
  let times = 0;
  while (value !== 0n && value % base === 0n) {
    value /= base;
    times++;
  }
  return [value, times];
}

/** Quantity.String of an exact quantity (CanonicalizeBytes). */
export function canonicalText(q: Pick<ExactQuantity, 'nanos' | 'format'>): string {
  if (q.nanos === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const abs = q.nanos < 0n ? -q.nanos : q.nanos;
    // Below 1024, or not a whole number: shown as a decimal, which rounds nothing.
    if (abs < 1024n * NANOS_PER_UNIT || q.nanos % NANOS_PER_UNIT !== 0n) format = 'DecimalSI';
    else {
      const [amount, times] = removeFactors(q.nanos / NANOS_PER_UNIT, 1024n);
      return `${amount}${BINARY_SUFFIX_OF[times] ?? ''}`;
    }
  }
  let [amount, exponent] = removeFactors(q.nanos, 10n);
  exponent -= 9;
  // The exponent comes down to a multiple of 3 (Go's remainder keeps the dividend's sign, as JavaScript's).
  const r = exponent % 3;
  if (r === 1 || r === -2) [amount, exponent] = [amount * 10n, exponent - 1];
  else if (r === 2 || r === -1) [amount, exponent] = [amount * 100n, exponent - 2];
  if (format === 'DecimalExponent') return exponent === 0 ? `${amount}` : `${amount}e${exponent}`;
  return `${amount}${DECIMAL_SUFFIX_OF[exponent] ?? ''}`;
}

/** The canonical text the API server returns for a quantity ('0.5' → '500m', '1024Mi' → '1Gi'), or undefined when invalid or beyond the bound. */
export function canonicalQuantity(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length <= MEMO_TEXT_LENGTH) {
    if (canonical.has(value)) return canonical.get(value);
    return remember(canonical, value, canonicalOf(value));
  }
  return canonicalOf(value);
}

function canonicalOf(value: unknown): string | undefined {
  const r = parseNanos(value);
  if ('error' in r || r.overflow) return undefined;
  return canonicalText(r);
}

/** Quantity.MilliValue: the value in integer thousandths, rounded away from zero ('1.0001m' → 2). Throws BAD_USER_INPUT when malformed. */
export function milli(value: unknown): number {
  const r = parseNanos(value);
  if ('error' in r) throw new KubeqlError('BAD_USER_INPUT', `invalid quantity ${JSON.stringify(value)}: ${r.error}`, { value });
  const abs = r.nanos < 0n ? -r.nanos : r.nanos;
  const millis = ceilDiv(abs, 10n ** 6n);
  return millis === 0n ? 0 : Number(r.nanos < 0n ? -millis : millis);
}
