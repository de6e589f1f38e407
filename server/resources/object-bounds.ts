/**
 * How big one object may be: its JSON at most 1.5 MiB (Kubernetes' limit for one object, etcd's
 * request limit), and nested at most 100 levels deep (no real manifest comes close; deeper input
 * would only exhaust the stack of the code that walks it). Both checks are iterative.
 */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;
export const MAX_OBJECT_DEPTH = 100;

/** How deep `value` nests (a scalar is 0, `{}` is 1, `{a: []}` is 2), counting no further than `max + 1`. */
export function nestingDepth(value: unknown, max: number): number {
  if (value === null || typeof value !== 'object') return 0;
  const stack: unknown[] = [value];
  const depths: number[] = [1];
  let deepest = 0;
  while (stack.length > 0) {
    const v = stack.pop() as object;
    const depth = depths.pop()!;
    if (depth > deepest) deepest = depth;
    if (deepest > max) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') {
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return deepest;
}

/** The path (`spec.a.b[0]`) of the first container nested deeper than `max` levels, or undefined. */
export function pathTooDeep(value: unknown, max: number, root = ''): string | undefined {
  if (nestingDepth(value, max) <= max) return undefined;
  const stack: Array<{ v: unknown; depth: number; path: string }> = [{ v: value, depth: 1, path: root }];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop()!;
    if (depth > max) return path;
    const entries: Array<[string, unknown]> = Array.isArray(v) ? v.map((c, i) => [`${path}[${i}]`, c]) : Object.entries(v as object).map(([k, c]) => [path ? `${path}.${k}` : k, c]);
    for (const [p, child] of entries) if (child !== null && typeof child === 'object') stack.push({ v: child, depth: depth + 1, path: p });
  }
  return undefined;
}

const shorten = (path: string) => (path.length > 120 ? `${path.slice(0, 120)}…` : path);

/** What a stored object is called in an error: `Pod default/web`. */
const named = (object: Named) =>
  `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;

type Named = { kind: string; metadata: { namespace?: string; name: string } };
export interface BoundsError {
  code: 'BAD_USER_INPUT' | 'PAYLOAD_TOO_LARGE';
  message: string;
  extensions: Record<string, unknown>;
}

/** BAD_USER_INPUT naming the field of `object` nested deeper than MAX_OBJECT_DEPTH, or undefined. */
export function objectDepthError(object: Named): BoundsError | undefined {
  const deep = pathTooDeep(object, MAX_OBJECT_DEPTH);
  if (deep === undefined) return undefined;
  const field = shorten(deep);
  return { code: 'BAD_USER_INPUT', message: `${field}: ${named(object)} nests deeper than ${MAX_OBJECT_DEPTH} levels`, extensions: { field } };
}

/** PAYLOAD_TOO_LARGE naming `object` when `json`, its JSON text, is over MAX_OBJECT_BYTES, or undefined. */
export function objectSizeError(object: Named, json: string): BoundsError | undefined {
  // A UTF-8 byte is at least one UTF-16 unit and at most three: count bytes only when it could matter.
  if (json.length * 3 <= MAX_OBJECT_BYTES) return undefined;
  const bytes = Buffer.byteLength(json);
  if (bytes <= MAX_OBJECT_BYTES) return undefined;
  return {
    code: 'PAYLOAD_TOO_LARGE',
    message: `${named(object)} is ${bytes} bytes as stored; one object may be at most ${MAX_OBJECT_BYTES} bytes (1.5 MiB)`,
    extensions: { kind: object.kind, namespace: object.metadata.namespace ?? null, name: object.metadata.name, bytes, limit: MAX_OBJECT_BYTES },
  };
}
