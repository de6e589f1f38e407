/**
 * patch: a strategic merge, JSON merge or JSON patch of an existing object, then the rules of
 * update (validation, defaults, immutable fields, generation). The patch's own
 * metadata.resourceVersion (or, for a JSON patch, the one it leaves) is a precondition, as in
 * Kubernetes. A patch that cannot apply is BAD_USER_INPUT naming it (`patch[2]` for a JSON
 * patch's third operation) and writes nothing. GraphQL's patch<Kind> and the REST API's PATCH
 * both come here.
 */
import { badInput } from '../../errors.js';
import type { KObject, KindDef } from '../../resources/kind.js';
import type { JsonMap } from '../../resources/patch/json-value.js';
import { PatchError } from '../../resources/patch/patch-error.js';
import { patchObject, type PatchType } from '../../resources/patch/patch-object.js';
import { isPlainObject } from '../../resources/shape.js';
import { prepareObject } from '../../resources/validate-object.js';
import { attributesFor } from '../auth/attributes.js';
import type { ApiContext } from '../context.js';
import { checkPrecondition } from './lookup.js';
import { updateInTx } from './update.js';
import { writeExisting, type WriteTarget } from './write-existing.js';

/** The object after a patch; a patch that cannot apply is BAD_USER_INPUT naming it. */
function patched(type: PatchType, kind: KindDef, current: KObject, patch: unknown, path: string): KObject {
  try {
    return patchObject(type, kind.kind, current as unknown as JsonMap, patch) as unknown as KObject;
  } catch (e) {
    if (e instanceof PatchError) throw badInput(`${path}${e.at}`, e.message);
    throw e;
  }
}

export interface PatchResult {
  object: KObject;
  /** Unknown fields kept, as prepareObject reports them. */
  warnings: string[];
}

/** `path` names the patch in errors (`patch`, the GraphQL argument, by default). */
export async function patch(ctx: ApiContext, kind: KindDef, target: WriteTarget, type: PatchType, body: unknown, path = 'patch'): Promise<PatchResult> {
  if (type === 'JSON' ? !Array.isArray(body) : !isPlainObject(body))
    throw badInput(path, type === 'JSON' ? 'must be a JSON array of operations (a JSON patch)' : `must be a JSON object (a ${type === 'MERGE' ? 'merge' : 'strategic merge'} patch)`);
  const patchMeta = isPlainObject(body) && isPlainObject(body.metadata) ? body.metadata : {};
  let warnings: string[] = [];
  const precondition = { ...target, resourceVersion: target.resourceVersion ?? (patchMeta.resourceVersion as string | undefined) };
  const object = await writeExisting(ctx, kind, precondition, 'patch', [attributesFor(kind, 'patch', target)], (tx, current) => {
    const result = patched(type, kind, current, body, path);
    for (const field of ['name', 'namespace', 'uid'] as const)
      if (!isPlainObject(result.metadata) || result.metadata[field] !== current.metadata[field]) throw badInput(`${path}.metadata.${field}`, 'Invalid value: field is immutable');
    // A JSON patch that sets metadata.resourceVersion makes it a precondition, as in Kubernetes.
    if (type === 'JSON') checkPrecondition(current, result.metadata.resourceVersion);
    delete result.status; // the status subresource is written by updateStatus alone
    const prepared = prepareObject(kind, result, path);
    warnings = prepared.warnings;
    return updateInTx(tx, ctx, kind, current, prepared, { verb: 'patch', requestId: target.requestId, path }).object;
  });
  return { object, warnings };
}
