/**
 * Computing strategic merge patches, as kubectl does: the two-way patch from one document to
 * another (CreateTwoWayMergePatch) and the three-way patch of apply (CreateThreeWayMergePatch):
 * original = the last-applied configuration, modified = the new manifest, current = the live
 * object. The three-way patch sets what the manifest changes against the live object and deletes
 * only what the last-applied configuration had and the manifest dropped, so fields other writers
 * set survive.
 */
import { cloneJson } from '../clone-json.js';
import { deepEqual, goKind, goString, compareGoStrings, has, isMap, put, type Json, type JsonMap } from './json-value.js';
import {
  DELETE_FROM_PRIMITIVE_LIST,
  DIRECTIVE,
  RETAIN_KEYS,
  SET_ELEMENT_ORDER,
  deduplicateScalars,
  mergeKeyValueEqual,
  noMergeKey,
  normalizeSliceOrder,
  sliceElementType,
  sortMapsByField,
  sortScalars,
  badArgType,
  identity,
  keyFields,
  type ListKey,
} from './list-order.js';
import { PatchError } from './patch-error.js';
import { retainKeysAndStrategy, type PatchSchema } from './patch-schema.js';
import { mergeMap } from './strategic-merge.js';
import { patchesConflict } from './conflicts.js';

interface DiffOptions {
  setElementOrder: boolean;
  ignoreChangesAndAdditions: boolean;
  ignoreDeletions: boolean;
  buildRetainKeysDirective: boolean;
}

/** The patch that turns `original` into `modified` (Kubernetes' CreateTwoWayMergePatch). */
export function createTwoWayMergePatch(original: JsonMap, modified: JsonMap, schema: PatchSchema): JsonMap {
  return diffMaps(cloneJson(original), cloneJson(modified), schema, {
    setElementOrder: true,
    ignoreChangesAndAdditions: false,
    ignoreDeletions: false,
    buildRetainKeysDirective: false,
  });
}

/** A three-way patch made without overwrite would undo a change made since the last apply. */
export class PatchConflictError extends PatchError {
  constructor(patch: JsonMap, changed: JsonMap) {
    super(`patch:\n${JSON.stringify(patch)}\nconflicts with changes made from original to current:\n${JSON.stringify(changed)}\n`);
    this.name = 'PatchConflictError';
  }
}

/**
 * kubectl apply's patch (Kubernetes' CreateThreeWayMergePatch): the changes from `current` to
 * `modified` without deletions, plus the deletions from `original` to `modified`. With `overwrite`
 * (kubectl apply's default) that is all; without it, a patch that changes a field differently from
 * how it changed between `original` and `current` is a PatchConflictError.
 */
export function createThreeWayMergePatch(original: JsonMap, modified: JsonMap, current: JsonMap, schema: PatchSchema, overwrite = true): JsonMap {
  original = cloneJson(original);
  current = cloneJson(current);
  const delta = diffMaps(current, cloneJson(modified), schema, {
    setElementOrder: true,
    ignoreChangesAndAdditions: false,
    ignoreDeletions: true,
    buildRetainKeysDirective: false,
  });
  const deletions = diffMaps(original, cloneJson(modified), schema, {
    setElementOrder: true,
    ignoreChangesAndAdditions: true,
    ignoreDeletions: false,
    buildRetainKeysDirective: false,
  });
  const patch = mergeMap(deletions, delta, schema, { mergeParallelList: false, ignoreUnmatchedNulls: false });
  if (!overwrite) {
    const changed = diffMaps(original, current, schema, { setElementOrder: false, ignoreChangesAndAdditions: false, ignoreDeletions: false, buildRetainKeysDirective: false });
    if (patchesConflict(patch, changed, schema)) throw new PatchConflictError(patch, changed);
  }
  return patch;
}

function diffMaps(original: JsonMap, modified: JsonMap, schema: PatchSchema, options: DiffOptions): JsonMap {
  const patch: JsonMap = {};
  const retainKeys: Json[] = [];
  for (const key of Object.keys(modified)) {
    const modifiedValue = modified[key];
    if (options.buildRetainKeysDirective && modifiedValue !== null) retainKeys.push(key);
    if (!has(original, key)) {
      if (!options.ignoreChangesAndAdditions) put(patch, key, modifiedValue);
      continue;
    }
    const originalValue = original[key];
    if (key === DIRECTIVE) {
      if (typeof originalValue !== 'string' || typeof modifiedValue !== 'string') throw new PatchError(`invalid value for special key: ${DIRECTIVE}`);
      if (originalValue !== modifiedValue) put(patch, key, modifiedValue);
      continue;
    }
    if (goKind(originalValue) !== goKind(modifiedValue)) {
      if (!options.ignoreChangesAndAdditions) put(patch, key, modifiedValue);
      continue;
    }
    if (isMap(originalValue)) mapDiff(key, originalValue, modifiedValue as JsonMap, patch, schema, options);
    else if (Array.isArray(originalValue)) sliceDiff(key, originalValue, modifiedValue as Json[], patch, schema, options);
    else replaceIfNotEqual(key, originalValue, modifiedValue, patch, options);
  }
  if (!options.ignoreDeletions) for (const key of Object.keys(original)) if (!has(modified, key)) put(patch, key, null);
  if (retainKeys.length > 0 && (Object.keys(patch).length > 0 || hasAdditionalNewField(original, modified)))
    put(patch, RETAIN_KEYS, sortScalars(retainKeys));
  return patch;
}

function hasAdditionalNewField(original: JsonMap, modified: JsonMap): boolean {
  return Object.keys(original).some((k) => original[k] !== null && !has(modified, k));
}

function replaceIfNotEqual(key: string, original: Json, modified: Json, patch: JsonMap, options: DiffOptions): void {
  if (options.ignoreChangesAndAdditions || deepEqual(original, modified)) return;
  put(patch, key, modified);
}

function mapDiff(key: string, original: JsonMap, modified: JsonMap, patch: JsonMap, schema: PatchSchema, options: DiffOptions): void {
  const { meta, schema: sub } = schema.field(key);
  const { retainKeys, strategy } = retainKeysAndStrategy(meta.strategies);
  if (strategy === 'replace') {
    if (!options.ignoreChangesAndAdditions) put(patch, key, modified);
    return;
  }
  const value = diffMaps(original, modified, sub, { ...options, buildRetainKeysDirective: retainKeys });
  if (Object.keys(value).length > 0) put(patch, key, value);
}

function sliceDiff(key: string, original: Json[], modified: Json[], patch: JsonMap, schema: PatchSchema, options: DiffOptions): void {
  const { meta, schema: sub } = schema.field(key);
  const { retainKeys, strategy } = retainKeysAndStrategy(meta.strategies);
  if (strategy !== 'merge') {
    replaceIfNotEqual(key, original, modified, patch, options);
    return;
  }
  const { add, remove, order } = diffLists(original, modified, sub, meta.mergeKey, { ...options, buildRetainKeysDirective: retainKeys });
  if (add.length > 0) put(patch, key, add);
  if (remove.length > 0) put(patch, `${DELETE_FROM_PRIMITIVE_LIST}/${key}`, remove);
  if (order.length > 0) put(patch, `${SET_ELEMENT_ORDER}/${key}`, order);
}

function diffLists(original: Json[], modified: Json[], schema: PatchSchema, mergeKey: ListKey, options: DiffOptions): { add: Json[]; remove: Json[]; order: Json[] } {
  if (original.length === 0) {
    if (modified.length === 0 || options.ignoreChangesAndAdditions) return { add: [], remove: [], order: [] };
    return { add: modified, remove: [], order: [] };
  }
  const kind = sliceElementType(original, modified);
  if (kind === 'map') {
    const { patch, deletions } = diffListsOfMaps(original, modified, schema, mergeKey, options);
    const add = [...normalizeSliceOrder(patch, modified, mergeKey, kind), ...deletions];
    const orderSame = isOrderSame(original, modified, mergeKey);
    let order: Json[] = [];
    if (options.setElementOrder && ((!options.ignoreChangesAndAdditions && (add.length > 0 || !orderSame)) || (!options.ignoreDeletions && add.length > 0)))
      order = modified.map((v) => keyFields(v as JsonMap, mergeKey));
    return { add, remove: [], order };
  }
  const { add: scalars, remove } = diffListsOfScalars(original, modified, options);
  const add = normalizeSliceOrder(scalars, modified, mergeKey, kind);
  // As Kubernetes: `original` is compared after diffListsOfScalars sorted it in place.
  const order =
    options.setElementOrder && ((!options.ignoreDeletions && remove.length > 0) || (!options.ignoreChangesAndAdditions && !deepEqual(original, modified))) ? modified : [];
  return { add, remove, order };
}

function isOrderSame(original: Json[], modified: Json[], mergeKey: ListKey): boolean {
  if (original.length !== modified.length) return false;
  return modified.every((item, i) => mergeKeyValueEqual(original[i], item, mergeKey));
}

/** Additions and deletions between two lists of scalars, compared by their text (sorts `original` in place). */
function diffListsOfScalars(original: Json[], modified: Json[], options: DiffOptions): { add: Json[]; remove: Json[] } {
  const o = sortScalars(original);
  const m = sortScalars([...modified]);
  const add: Json[] = [];
  const remove: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < o.length || j < m.length) {
    const cmp = i >= o.length ? 1 : j >= m.length ? -1 : compareGoStrings(goString(o[i]), goString(m[j]));
    if (cmp === 0) {
      i++;
      j++;
    } else if (cmp < 0) {
      if (!options.ignoreDeletions) remove.push(o[i]);
      i++;
    } else {
      if (!options.ignoreChangesAndAdditions) add.push(m[j]);
      j++;
    }
  }
  return { add, remove: deduplicateScalars(remove) };
}

function keyedElement(list: Json[], index: number, mergeKey: ListKey): { map: JsonMap; key: Json | undefined } {
  const m = list[index];
  if (!isMap(m)) throw badArgType('map', m);
  if (!has(m, mergeKey.name)) throw noMergeKey(m, mergeKey.name);
  return { map: m, key: identity(m, mergeKey) };
}

/** `$patch: delete` for an element, naming its second key (default included) so that it deletes that element alone. */
function deleteDirective(item: JsonMap, mergeKey: ListKey): JsonMap {
  const d = keyFields(item, mergeKey);
  if (mergeKey.secondary && !has(d, mergeKey.secondary.field)) put(d, mergeKey.secondary.field, mergeKey.secondary.default);
  put(d, DIRECTIVE, 'delete');
  return d;
}

/** Changed and added elements (recursive patches), and `$patch: delete` for removed ones, by merge key. */
function diffListsOfMaps(original: Json[], modified: Json[], schema: PatchSchema, mergeKey: ListKey, options: DiffOptions): { patch: Json[]; deletions: Json[] } {
  const o = sortMapsByField(original, mergeKey);
  const m = sortMapsByField(modified, mergeKey);
  const patch: Json[] = [];
  const deletions: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < o.length || j < m.length) {
    const a = i < o.length ? keyedElement(o, i, mergeKey) : undefined;
    const b = j < m.length ? keyedElement(m, j, mergeKey) : undefined;
    const cmp = !a ? 1 : !b ? -1 : compareGoStrings(goString(a.key), goString(b.key));
    if (cmp === 0) {
      const value = diffMaps(a!.map, b!.map, schema, options);
      if (Object.keys(value).length > 0) {
        for (const [k, v] of Object.entries(keyFields(b!.map, mergeKey))) put(value, k, v);
        patch.push(value);
      }
      i++;
      j++;
    } else if (cmp > 0) {
      if (!options.ignoreChangesAndAdditions) patch.push(b!.map);
      j++;
    } else {
      if (!options.ignoreDeletions) deletions.push(deleteDirective(a!.map, mergeKey));
      i++;
    }
  }
  return { patch, deletions };
}
