/**
 * JSON values as strategic merge patch sees them: Go's decoded JSON (maps, slices, strings,
 * float64, bool, nil), with Go's notion of "same type", its `%v` text (which orders merge keys and
 * scalars) and its byte-wise string order.
 */
export type Json = null | boolean | number | string | Json[] | JsonMap;
export type JsonMap = { [key: string]: Json };

export function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function has(m: JsonMap, key: string): boolean {
  return Object.hasOwn(m, key);
}

/** Sets a key, an own `__proto__` included (plain assignment would set the prototype). */
export function put(m: JsonMap, key: string, value: Json): void {
  if (key === '__proto__') Object.defineProperty(m, key, { value, enumerable: true, writable: true, configurable: true });
  else m[key] = value;
}

export type GoKind = 'map' | 'slice' | 'string' | 'number' | 'bool' | 'nil';

/** The Go type of a decoded JSON value (reflect.TypeOf). */
export function goKind(v: Json | undefined): GoKind {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return 'number';
}

export function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isMap(a) && isMap(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => has(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Go's `%v` of a float64 (strconv's 'g' with the shortest digits: %e form when the exponent is < -4 or >= 6). */
function goFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp >= -4 && exp < 6) return String(n);
  return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** Go's `fmt.Sprintf("%v", v)` for the values that occur as merge keys and list scalars. */
export function goString(v: Json | undefined): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goFloat(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  return `map[${Object.keys(v)
    .sort(compareGoStrings)
    .map((k) => `${k}:${goString(v[k])}`)
    .join(' ')}]`;
}

const encoder = new TextEncoder();

/** Go's string order: byte-wise over UTF-8 (JavaScript's `<` compares UTF-16 code units). */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  if (/^[\u0000-\u007f]*$/.test(a) && /^[\u0000-\u007f]*$/.test(b)) return a < b ? -1 : 1;
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}
