/** The path of the first difference between two JSON values, or undefined when they are equal. */
import { childPath } from './field-error.js';
import { isPlainObject } from '../plain-object.js';

export function diffPath(a: unknown, b: unknown, path: string): string | undefined {
  if (a === b) return undefined;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = diffPath(a[i], b[i], childPath(path, i));
      if (d) return d;
    }
    return undefined;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      // An absent field and one set to undefined are the same field.
      const d = diffPath(a[k], b[k], childPath(path, k));
      if (d) return d;
    }
    return undefined;
  }
  if ((a === undefined || a === null) && (b === undefined || b === null)) return undefined;
  return path;
}

