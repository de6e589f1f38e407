/**
 * kubectl's client-side apply merge: the three-way merge of the last-applied configuration, the
 * new manifest and the live object. Fields in last-applied but not in the manifest are removed;
 * fields of the manifest are set (a null removes, as in JSON merge patch); everything else on
 * the live object survives. Lists are replaced whole (RFC 7386). Without a last-applied
 * configuration nothing is removed: the manifest is merged onto the live object.
 */
import { isPlainObject } from '../../resources/plain-object.js';

export function threeWayMerge(live: unknown, lastApplied: unknown, manifest: unknown): unknown {
  if (!isPlainObject(manifest)) return structuredClone(manifest);
  const result: Record<string, unknown> = isPlainObject(live) ? { ...live } : {};
  const last = isPlainObject(lastApplied) ? lastApplied : {};
  for (const key of Object.keys(last)) if (!(key in manifest)) delete result[key];
  for (const [key, value] of Object.entries(manifest)) {
    if (value === null || value === undefined) delete result[key];
    else result[key] = threeWayMerge(result[key], last[key], value);
  }
  return result;
}
