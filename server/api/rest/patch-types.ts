/**
 * PATCH bodies by media type, as Kubernetes reads them: strategic merge patch, JSON merge patch
 * (RFC 7386) and JSON patch (RFC 6902), applied by the same code as GraphQL's patch
 * (server/resources/patch). Server-side apply (application/apply-patch+yaml) answers 415. Every
 * patch is bounded: its size (the body limit) and its nesting.
 */
import { isPlainObject } from '../../resources/shape.js';
import { PatchError } from '../../resources/patch/patch-error.js';
import { patchObject, patchTypeOfContentType, type PatchType } from '../../resources/patch/patch-object.js';
import type { JsonMap } from '../../resources/patch/json-value.js';
import { mediaType, parseJson } from './body.js';
import { RestError, badRequest } from './status.js';

const MAX_DEPTH = 100;

/** Refuses a JSON value nested deeper than MAX_DEPTH (it would exhaust the stack of the recursive merges). */
export function checkDepth(value: unknown): void {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_DEPTH) throw badRequest(`the request body is nested deeper than ${MAX_DEPTH} levels`);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
}

/** The patch type of a PATCH request's Content-Type; 415 for any other. */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const type = mediaType(contentType);
  const patchType = patchTypeOfContentType[type];
  if (!patchType)
    throw new RestError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json${type === 'application/apply-patch+yaml' ? ' (server-side apply is not served: use kubectl apply without --server-side)' : ''}`,
    );
  return patchType;
}

/** A PATCH body: JSON, bounded in nesting. */
export function patchBody(body: Buffer): unknown {
  const patch = parseJson(body.toString('utf8'));
  checkDepth(patch);
  return patch;
}

/** What a PATCH makes of an object that is not a stored kind's whole object (a Scale, a status): a 422 when it cannot apply. */
export function patcher(contentType: string | undefined, body: Buffer, kind: string): (current: unknown) => unknown {
  const type = patchTypeOf(contentType);
  const patch = patchBody(body);
  return (current) => {
    if (!isPlainObject(current)) return current;
    try {
      return patchObject(type, kind, current as JsonMap, patch);
    } catch (e) {
      if (e instanceof PatchError) throw new RestError(422, 'Invalid', `the server rejected our request due to an error in our request: ${e.message}`);
      throw e;
    }
  };
}
