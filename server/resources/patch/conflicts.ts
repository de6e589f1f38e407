/**
 * Whether two strategic merge patches change the same field differently (Kubernetes'
 * MergingMapsHaveConflicts): the check behind a three-way patch made without overwrite, which
 * refuses to undo a change someone else made since the last apply.
 */
import { deepEqual, goString, has, isMap, type Json, type JsonMap } from './json-value.js';
import { DIRECTIVE, RETAIN_KEYS, deduplicateScalars, identity, sliceElementType, sortScalars, type ListKey } from './list-order.js';
import { PatchError } from './patch-error.js';
import { retainKeysAndStrategy, untyped, type PatchSchema } from './patch-schema.js';

const NO_KEY: ListKey = { name: '' };

export function patchesConflict(left: JsonMap, right: JsonMap, schema: PatchSchema): boolean {
  return fieldsConflict(left, right, schema, '', NO_KEY);
}

function fieldsConflict(left: Json, right: Json, schema: PatchSchema, strategy: string, mergeKey: ListKey): boolean {
  if (isMap(left)) {
    if (!isMap(right)) return true;
    const l = has(left, DIRECTIVE);
    const r = has(right, DIRECTIVE);
    if ((l || r) && (l !== r || left[DIRECTIVE] !== right[DIRECTIVE])) return true;
    if (strategy === 'replace') return false;
    return mapsConflict(left, right, schema);
  }
  if (Array.isArray(left)) {
    if (!Array.isArray(right)) return true;
    return slicesConflict(left, right, schema, strategy, mergeKey);
  }
  return !deepEqual(left, right);
}

function mapsConflict(left: JsonMap, right: JsonMap, schema: PatchSchema): boolean {
  for (const [key, leftValue] of Object.entries(left)) {
    if (key === DIRECTIVE || key === RETAIN_KEYS || !has(right, key)) continue;
    let sub: PatchSchema = untyped;
    let strategy = '';
    let mergeKey = NO_KEY;
    if (isMap(leftValue) || Array.isArray(leftValue)) {
      const field = schema.field(key);
      sub = field.schema;
      strategy = retainKeysAndStrategy(field.meta.strategies).strategy;
      mergeKey = field.meta.mergeKey;
    }
    if (fieldsConflict(leftValue, right[key], sub, strategy, mergeKey)) return true;
  }
  return false;
}

function slicesConflict(left: Json[], right: Json[], schema: PatchSchema, strategy: string, mergeKey: ListKey): boolean {
  const kind = sliceElementType(left, right);
  if (strategy === 'merge') {
    if (kind !== 'map') return false;
    const l = byKey(left, mergeKey);
    const r = byKey(right, mergeKey);
    for (const [k, v] of l) if (r.has(k) && fieldsConflict(v, r.get(k)!, schema, '', NO_KEY)) return true;
    return false;
  }
  if (left.length !== right.length) return true;
  if (kind !== 'map') {
    left = sortScalars(deduplicateScalars([...left]));
    right = sortScalars(deduplicateScalars([...right]));
  }
  return left.some((v, i) => fieldsConflict(v, right[i], schema, '', NO_KEY));
}

function byKey(list: Json[], mergeKey: ListKey): Map<string, JsonMap> {
  const out = new Map<string, JsonMap>();
  for (const v of list) {
    if (!isMap(v)) throw new PatchError(`invalid element type in merging list:${goString(list as Json)}`);
    if (!has(v, mergeKey.name)) throw new PatchError(`cannot find merge key \`${mergeKey.name}\` in merging list element:${goString(v)}`);
    out.set(goString(identity(v, mergeKey)), v);
  }
  return out;
}
