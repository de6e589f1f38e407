/**
 * A patch of one of the three types `kubectl patch --type` offers, applied to a stored object of
 * a kind: STRATEGIC (strategic merge patch, with the kind's patch strategies), MERGE (JSON merge
 * patch, RFC 7386) and JSON (JSON patch, RFC 6902). The GraphQL patch mutation and the REST API's
 * PATCH (by content type) both come here.
 */
import { patchSchemaOf } from '../kinds/patch-strategies.js';
import { mergePatch } from '../merge-patch.js';
import { isMap, type JsonMap } from './json-value.js';
import { jsonPatch } from './json-patch.js';
import { PatchError } from './patch-error.js';
import { strategicMergePatch } from './strategic-merge.js';

export type PatchType = 'STRATEGIC' | 'MERGE' | 'JSON';

export const patchTypes: readonly PatchType[] = ['STRATEGIC', 'MERGE', 'JSON'];

/** The patch type of an HTTP content type, as the Kubernetes API server reads it. */
export const patchTypeOfContentType: Readonly<Record<string, PatchType>> = {
  'application/strategic-merge-patch+json': 'STRATEGIC',
  'application/merge-patch+json': 'MERGE',
  'application/json-patch+json': 'JSON',
};

/** The object after the patch (a new object; the argument is not changed). Throws PatchError. */
export function patchObject(type: PatchType, kind: string, object: JsonMap, patch: unknown): JsonMap {
  try {
    switch (type) {
      case 'STRATEGIC':
        if (!isMap(patch)) throw new PatchError('a strategic merge patch must be a JSON object');
        return strategicMergePatch(object, patch, patchSchemaOf(kind));
      case 'MERGE':
        if (!isMap(patch)) throw new PatchError('a merge patch must be a JSON object');
        return mergePatch(object, patch) as JsonMap;
      case 'JSON':
        return jsonPatch(object, patch);
    }
  } catch (e) {
    // A patch nested deeper than the stack allows is the patch's fault, not the server's.
    if (e instanceof RangeError) throw new PatchError('the patch is nested too deeply');
    throw e;
  }
  throw new PatchError(`unknown patch type ${JSON.stringify(type)}`);
}
