/** JSON merge patch (RFC 7386), as `kubectl patch --type merge`: objects merge, null deletes, anything else replaces. */
import { isPlainObject } from './plain-object.js';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    // An own "__proto__" key stays a key (assigning it would set the result's prototype).
    else if (key === '__proto__') Object.defineProperty(result, key, { value: mergePatch(Object.hasOwn(result, key) ? result[key] : undefined, value), enumerable: true, writable: true, configurable: true });
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

