/**
 * PATCH bodies by media type, as Kubernetes takes them: JSON merge patch (RFC 7386), JSON patch
 * (RFC 6902, via rfc6902). Strategic merge patch and server-side apply answer 415 until they exist
 * here. Every patch is bounded: its nesting and its number of operations.
 */
import { applyPatch, type Operation } from 'rfc6902';
import { mergePatch } from '../../resources/merge-patch.js';
import { isPlainObject } from '../../resources/shape.js';
import { mediaType, parseJson } from './body.js';
import { RestError, badRequest } from './status.js';

const MAX_DEPTH = 100;
const MAX_OPERATIONS = 10_000;

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

const unsupported = (type: string) =>
  new RestError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json${type ? ` (${type} is not supported)` : ''}`,
  );

/** What a PATCH body makes of an object: a function of the current object, the patch checked before any write. */
export function patcher(contentType: string | undefined, body: Buffer): (current: unknown) => unknown {
  const type = mediaType(contentType);
  if (type !== 'application/merge-patch+json' && type !== 'application/json-patch+json') throw unsupported(type);
  const patch = parseJson(body.toString('utf8'));
  checkDepth(patch);
  if (type === 'application/merge-patch+json') {
    if (!isPlainObject(patch)) throw badRequest('a merge patch must be a JSON object');
    return (current) => mergePatch(current, patch);
  }
  if (!Array.isArray(patch)) throw badRequest('a JSON patch must be a JSON array of operations');
  if (patch.length > MAX_OPERATIONS) throw badRequest(`a JSON patch may have at most ${MAX_OPERATIONS} operations`);
  for (const [i, op] of patch.entries())
    if (!isPlainObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string') throw badRequest(`JSON patch operation ${i}: must be an object with "op" and "path"`);
  return (current) => {
    const target = structuredClone(current);
    const errors = applyPatch(target, patch as Operation[]);
    const failed = errors.findIndex((e) => e !== null);
    if (failed >= 0) {
      const error = errors[failed]!;
      const reason = error.name === 'TestError' ? 'testing value failed' : error.message;
      throw new RestError(422, 'Invalid', `the server rejected our request due to an error in our request: JSON patch operation ${failed} (${(patch[failed] as { op: string }).op} ${(patch[failed] as { path: string }).path}): ${reason}`);
    }
    return target;
  };
}
