/**
 * kubectl's client-side apply merge, as Kubernetes does it for built-in kinds: the three-way
 * strategic merge patch of the last-applied configuration (original), the new manifest (modified)
 * and the live object (current), applied to the live object. Fields in last-applied but not in
 * the manifest are removed; fields of the manifest are set (a null removes); everything else on
 * the live object survives. Lists merge by their patch strategy: a container, env var, port or
 * volume another writer added stays; lists without a strategy are replaced whole. Without a
 * last-applied configuration nothing is removed.
 */
import { badInput } from '../../errors.js';
import { patchSchemaOf } from '../../resources/kinds/patch-strategies.js';
import type { JsonMap } from '../../resources/patch/json-value.js';
import { PatchError } from '../../resources/patch/patch-error.js';
import { createThreeWayMergePatch } from '../../resources/patch/strategic-diff.js';
import { strategicMergePatch } from '../../resources/patch/strategic-merge.js';
import { isPlainObject } from '../../resources/plain-object.js';

export function threeWayMerge(kind: string, live: Record<string, unknown>, lastApplied: unknown, manifest: Record<string, unknown>, path: string): Record<string, unknown> {
  const schema = patchSchemaOf(kind);
  const original = (isPlainObject(lastApplied) ? lastApplied : {}) as JsonMap;
  try {
    const patch = createThreeWayMergePatch(original, manifest as JsonMap, live as JsonMap, schema);
    return strategicMergePatch(live as JsonMap, patch, schema);
  } catch (e) {
    if (e instanceof PatchError) throw badInput(path, e.message);
    if (e instanceof RangeError) throw badInput(path, 'the manifest is nested too deeply');
    throw e;
  }
}
