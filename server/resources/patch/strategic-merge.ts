/**
 * Applying a strategic merge patch (Kubernetes' StrategicMergePatch): JSON merge patch, except
 * that lists whose field has the `merge` strategy merge element by element (maps by their merge
 * key, scalars as a set), fields with `replace` are replaced whole, and the patch may carry
 * directives: `$patch: replace | delete` on a map or as a list element (`$patch: merge`, the
 * default, is accepted and changes nothing), `$retainKeys`, `$setElementOrder/<list>`,
 * `$deleteFromPrimitiveList/<list>`; a null deletes.
 *
 * The same merge also combines two patches (`mergeParallelList: false`), which the three-way patch
 * creation uses to join its deletions and its changes.
 */
import { cloneJson } from '../clone-json.js';
import { deepEqual, goKind, has, isMap, put, type Json, type JsonMap } from './json-value.js';
import {
  DELETE_FROM_PRIMITIVE_LIST,
  DIRECTIVE,
  RETAIN_KEYS,
  SET_ELEMENT_ORDER,
  badArgType,
  badPatchType,
  badRetainKeysFormat,
  badSetElementOrderFormat,
  deduplicateScalars,
  directiveTarget,
  extractToDeleteItems,
  findByMergeKeyAlone,
  findMap,
  mergeKeyValueEqual,
  type ListKey,
  noMergeKey,
  normalizeElementOrder,
  partitionMaps,
  partitionPrimitives,
  sliceElementType,
} from './list-order.js';
import { PatchError } from './patch-error.js';
import { retainKeysAndStrategy, type PatchSchema } from './patch-schema.js';

export interface MergeOptions {
  /** Apply `$deleteFromPrimitiveList` and `$setElementOrder` (true), or carry them along (merging patches). */
  mergeParallelList: boolean;
  /** Drop nulls that delete nothing (true), or keep them (merging patches). */
  ignoreUnmatchedNulls: boolean;
}

const APPLY: MergeOptions = { mergeParallelList: true, ignoreUnmatchedNulls: true };

/**
 * Applies a strategic merge patch to an object and returns the result; neither argument is
 * changed. Throws PatchError for a patch it cannot apply.
 */
export function strategicMergePatch(original: JsonMap, patch: JsonMap, schema: PatchSchema): JsonMap {
  if (!isMap(patch)) throw new PatchError('a strategic merge patch must be a JSON object');
  return mergeMap(cloneJson(original), cloneJson(patch), schema, APPLY);
}

/** Merges `patch` into `original`; both may be changed. */
export function mergeMap(original: JsonMap | null, patch: JsonMap, schema: PatchSchema, options: MergeOptions): JsonMap {
  if (has(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    if (directive === 'replace') {
      delete patch[DIRECTIVE];
      return whole(patch, options) as JsonMap;
    }
    if (directive === 'delete') return {};
    if (directive !== 'merge') throw badPatchType(directive, patch);
    delete patch[DIRECTIVE];
  }
  const target: JsonMap = original ?? {};
  applyRetainKeys(target, patch, options);
  mergeSetElementOrder(target, patch, schema, options);

  for (const patchKey of Object.keys(patch)) {
    if (!has(patch, patchKey)) continue;
    const patchV = patch[patchKey];
    let key = patchKey;
    let isDeleteList = false;
    if (patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      if (!options.mergeParallelList) {
        put(target, patchKey, patchV);
        continue;
      }
      key = directiveTarget(patchKey, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }

    if (patchV === null) {
      delete target[key];
      if (options.ignoreUnmatchedNulls) continue;
    }

    if (!has(target, key) || goKind(target[key]) !== goKind(patchV)) {
      if (!isDeleteList) {
        if (options.ignoreUnmatchedNulls) discardNulls(patchV);
        const { value, keep } = removeDirectives(patchV, options.mergeParallelList);
        if (keep) put(target, key, value);
        else delete target[key];
      }
      continue;
    }

    const current = target[key];
    if (isMap(current)) {
      const { meta, schema: sub } = schema.field(key);
      const { strategy } = retainKeysAndStrategy(meta.strategies);
      put(target, key, strategy === 'replace' ? whole(patchV, options) : mergeMap(current, patchV as JsonMap, sub, options));
    } else if (Array.isArray(current)) {
      const { meta, schema: sub } = schema.field(key);
      const { strategy } = retainKeysAndStrategy(meta.strategies);
      put(target, key, mergeSliceHandler(current, patchV as Json[], sub, strategy, meta.mergeKey, isDeleteList, options).merged);
    } else {
      const { value, keep } = removeDirectives(patchV, options.mergeParallelList);
      if (keep) put(target, key, value);
      else delete target[key];
    }
  }
  return target;
}

/**
 * A value that replaces whole: when the patch is applied, without the nulls and directives inside
 * it (Kubernetes stores it as given and drops them when decoding into its Go type; Kubeql keeps
 * unknown fields, so it drops them here).
 */
function whole(v: Json, options: MergeOptions): Json {
  if (!options.mergeParallelList) return v;
  discardNulls(v);
  return removeDirectives(v).value;
}

/** Removes the nulls of maps inside a value that is added whole (they would delete nothing). */
function discardNulls(v: Json): void {
  if (isMap(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else discardNulls(v[k]);
    }
  } else if (Array.isArray(v)) v.forEach(discardNulls);
}

/**
 * A value added whole loses its directives; a map that is one (`$patch: delete`) is not kept at
 * all. When the patch is applied (not merged with another), the parallel directives inside it
 * (`$retainKeys`, `$setElementOrder/…`, `$deleteFromPrimitiveList/…`) go too: Kubernetes leaves
 * them to be dropped when the result is decoded into its Go type, and Kubeql keeps unknown fields.
 */
function removeDirectives(v: Json, applying = true): { value: Json; keep: boolean } {
  if (isMap(v)) {
    if (has(v, DIRECTIVE)) {
      if (v[DIRECTIVE] !== 'merge') return { value: null, keep: false };
      delete v[DIRECTIVE];
    }
    for (const k of Object.keys(v)) {
      if (applying && (k === RETAIN_KEYS || k.startsWith(`${SET_ELEMENT_ORDER}/`) || k.startsWith(`${DELETE_FROM_PRIMITIVE_LIST}/`))) {
        delete v[k];
        continue;
      }
      const r = removeDirectives(v[k], applying);
      if (r.keep) put(v, k, r.value);
      else delete v[k];
    }
    return { value: v, keep: true };
  }
  if (Array.isArray(v)) {
    const out: Json[] = [];
    for (const item of v) {
      const r = removeDirectives(item, applying);
      if (r.keep) out.push(r.value);
    }
    return { value: out, keep: true };
  }
  return { value: v, keep: true };
}

/** `$retainKeys: [...]`: fields of the original not named are cleared; the patch may set only those named. */
function applyRetainKeys(original: JsonMap, patch: JsonMap, options: MergeOptions): void {
  if (!has(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!options.mergeParallelList) {
    if (has(original, RETAIN_KEYS)) {
      if (!deepEqual(original[RETAIN_KEYS], retain))
        throw new PatchError(`${JSON.stringify(original[RETAIN_KEYS])} and ${JSON.stringify(retain)} are not deep equal: this may happen when calculating the 3-way diff patch`);
    } else put(original, RETAIN_KEYS, retain);
    return;
  }
  if (!Array.isArray(retain)) throw badRetainKeysFormat();
  const keep = new Set<Json>(retain);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw badRetainKeysFormat();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/**
 * `$setElementOrder/<list>`: merges the list with the patch's items and orders the result: the
 * directive's order first, then the live list's for items the patch does not name.
 */
function mergeSetElementOrder(original: JsonMap, patch: JsonMap, schema: PatchSchema, options: MergeOptions): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER) || !has(patch, key)) continue;
    const order = patch[key];
    if (!options.mergeParallelList) {
      if (has(original, key)) {
        if (!deepEqual(original[key], order)) throw badSetElementOrderFormat();
      } else put(original, key, order);
    }
    delete patch[key];
    if (!Array.isArray(order)) throw badArgType('slice', order);
    const listKey = directiveTarget(key, SET_ELEMENT_ORDER);
    const foundOriginal = has(original, listKey);
    const foundPatch = has(patch, listKey);
    let originalList: Json[] = [];
    let patchList: Json[] = [];
    if (foundOriginal) {
      const v = original[listKey];
      if (!Array.isArray(v)) throw badArgType('slice', v);
      originalList = v;
    }
    if (foundPatch) {
      const v = patch[listKey];
      if (!Array.isArray(v)) throw badArgType('slice', v);
      patchList = v;
    }
    const { meta, schema: sub } = schema.field(listKey);
    const { strategy } = retainKeysAndStrategy(meta.strategies);
    const mergeKey = meta.mergeKey;
    validatePatchWithSetOrderList(patchList, order, mergeKey);

    let merged: Json[];
    let serverOrder = originalList;
    if (foundOriginal && !foundPatch) merged = originalList;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchList, options.mergeParallelList).value as Json[];
    else if (foundOriginal && foundPatch) ({ merged, liveAfter: serverOrder } = mergeSliceHandler(originalList, patchList, sub, strategy, mergeKey, false, options));
    else continue;

    const { inList, rest } = mergeKey.name === '' ? partitionPrimitives(merged, order) : partitionMaps(merged, order, mergeKey);
    const kind = sliceElementType(serverOrder, patchList);
    put(original, listKey, normalizeElementOrder(inList, rest, order, serverOrder, mergeKey, kind));
    delete patch[listKey];
  }
}

/** The patch's items (deletions aside) must come in the directive's relative order, and be named by it. */
function validatePatchWithSetOrderList(patchList: Json[], order: Json[], mergeKey: ListKey): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey.name === '' ? patchList : extractToDeleteItems(patchList).keep;
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (isMap(items[p]) && has(items[p] as JsonMap, DIRECTIVE)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(items[p], order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length && o >= order.length)
    throw new PatchError(`The order in patch list:\n${JSON.stringify(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${JSON.stringify(order)}\n`);
}

/**
 * A list merged with the patch's list, and the live list as Kubernetes' code sees it afterwards:
 * Go removes deleted elements and appends new ones in the live list's own array (whose capacity,
 * as the API server converts objects, is its length), and the order rules of $setElementOrder read
 * that array. Kubeql follows the same steps so that elements come out in the same order.
 */
interface MergedList {
  merged: Json[];
  liveAfter: Json[];
}

function mergeSliceHandler(original: Json[], patch: Json[], schema: PatchSchema, strategy: string, mergeKey: ListKey, isDeleteList: boolean, options: MergeOptions): MergedList {
  if (!Array.isArray(original)) throw badArgType('slice', original);
  if (!Array.isArray(patch)) throw badArgType('slice', patch);
  if (strategy === 'merge' || isDeleteList) return mergeSlice(original, patch, schema, mergeKey, options, isDeleteList);
  return { merged: whole(patch, options) as Json[], liveAfter: original };
}

function mergeSlice(original: Json[], patch: Json[], schema: PatchSchema, mergeKey: ListKey, options: MergeOptions, isDeleteList: boolean): MergedList {
  if (original.length === 0 && patch.length === 0) return { merged: original, liveAfter: original };
  const kind = sliceElementType(original, patch);
  if (kind !== 'map') {
    if (options.mergeParallelList && isDeleteList) {
      const remove = new Set(patch);
      return { merged: original.filter((v) => !remove.has(v)), liveAfter: original };
    }
    const merged = deduplicateScalars([...original, ...patch]);
    const { inList, rest } = partitionPrimitives(merged, patch);
    return { merged: normalizeElementOrder(inList, rest, patch, original, mergeKey, kind), liveAfter: original };
  }
  if (mergeKey.name === '') throw new PatchError(`cannot merge lists without merge key for ${schema.name}`);
  const liveArray = [...original];
  const { list, plain } = mergeSpecialElements(new GoSlice(liveArray), patch, mergeKey);
  const serverOrder = list.view();
  mergeElements(list, plain, mergeKey, schema, options);
  const merged = list.view();
  const { inList, rest } = partitionMaps(merged, plain, mergeKey);
  return { merged: normalizeElementOrder(inList, rest, plain, serverOrder, mergeKey, kind), liveAfter: liveArray };
}

/** A Go slice over an array: removing and appending write into the array while its capacity lasts. */
class GoSlice {
  length: number;
  private readonly capacity: number;
  constructor(public backing: Json[]) {
    this.length = backing.length;
    this.capacity = backing.length;
  }
  view(): Json[] {
    return this.backing.slice(0, this.length);
  }
  removeAt(i: number): void {
    this.backing.copyWithin(i, i + 1, this.length);
    this.length--;
  }
  append(v: Json): void {
    if (this.length >= this.capacity) this.backing = this.backing.slice(0, this.length); // a new array
    this.backing[this.length++] = v;
  }
}

/** List elements that are directives: `$patch: delete` removes by merge key, `$patch: replace` replaces the list. */
function mergeSpecialElements(live: GoSlice, patch: Json[], mergeKey: ListKey): { list: GoSlice; plain: Json[] } {
  const plain: Json[] = [];
  let replace = false;
  for (const v of patch) {
    const item = v as JsonMap;
    if (!has(item, DIRECTIVE)) {
      plain.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === 'delete') {
      if (!has(item, mergeKey.name)) throw noMergeKey(item, mergeKey.name);
      let removed = false;
      for (let found = findMap(live.view(), mergeKey, item); found; found = findMap(live.view(), mergeKey, item)) {
        live.removeAt(found.index);
        removed = true;
      }
      const alone = removed ? undefined : findByMergeKeyAlone(live.view(), mergeKey, item);
      if (alone) live.removeAt(alone.index);
    } else if (directive === 'replace') replace = true;
    else if (directive === 'merge') {
      const { [DIRECTIVE]: _merge, ...rest } = item;
      plain.push(rest);
    } else throw badPatchType(directive, item);
  }
  return replace ? { list: new GoSlice(plain), plain: [] } : { list: live, plain };
}

/** Each patch element merges into the element with its merge key, or is appended. */
function mergeElements(list: GoSlice, patch: Json[], mergeKey: ListKey, schema: PatchSchema, options: MergeOptions): void {
  for (const v of patch) {
    const item = v as JsonMap;
    if (!has(item, mergeKey.name)) throw noMergeKey(item, mergeKey.name);
    const found = findMap(list.view(), mergeKey, item) ?? findByMergeKeyAlone(list.view(), mergeKey, item);
    if (found) list.backing[found.index] = mergeMap(found.map, item, schema, options);
    else list.append(item);
  }
}
