/** JSON merge patches (RFC 7386) on the client: apply one, compute the one between two documents, and compare JSON values. */
import { isPlainObject } from '../resources/plain-object.js';

// Applying a merge patch is the server's own function, shared from resources/.
export { mergePatch } from '../resources/merge-patch.js';
export { isPlainObject };

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a).filter((k) => a[k] !== undefined);
    return keys.length === Object.keys(b).filter((k) => b[k] !== undefined).length && keys.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** The merge patch that turns `from` into `to` (`{}` when they are equal); lists are replaced whole. */
export function mergeDiff(from: Record<string, unknown>, to: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(from)) if (from[key] !== undefined && to[key] === undefined) patch[key] = null;
  for (const [key, value] of Object.entries(to)) {
    if (value === undefined) continue;
    const old = from[key];
    if (isPlainObject(old) && isPlainObject(value)) {
      const inner = mergeDiff(old, value);
      if (Object.keys(inner).length > 0) patch[key] = inner;
    } else if (!deepEqual(old, value)) patch[key] = structuredClone(value);
  }
  return patch;
}
