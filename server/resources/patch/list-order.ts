/**
 * Lists in strategic merge patch: element types, merge keys, finding, de-duplicating, sorting and
 * the order rules ($setElementOrder first, then the patch's order, then the live list's), as
 * Kubernetes' apimachinery strategicpatch has them (its sorts included, so results agree with it
 * element for element).
 */
import { compareGoStrings, goKind, goString, has, isMap, put, type GoKind, type Json, type JsonMap } from './json-value.js';
import { PatchError } from './patch-error.js';

/**
 * How the elements of a merging list are told apart: Kubernetes' patch merge key, and for a few
 * lists (container and Service ports) a second field with its default, so that `53/TCP` and
 * `53/UDP` are two elements (Kubernetes' list-map keys; its strategic merge patch has only the
 * first key, and merges the two). An empty name: a list of scalars.
 */
export interface ListKey {
  name: string;
  secondary?: { field: string; default: Json };
}

export const SCALARS: ListKey = { name: '' };

/** What identifies an element: its merge key's value, or `value/second` when the second key is not its default. */
export function identity(item: JsonMap, key: ListKey): Json | undefined {
  const primary = has(item, key.name) ? item[key.name] : undefined;
  if (!key.secondary) return primary;
  const second = has(item, key.secondary.field) ? item[key.secondary.field] : key.secondary.default;
  return second === key.secondary.default ? primary : `${goString(primary)}/${goString(second)}`;
}

/** The merge key fields of an element, for a directive or an order entry that names it. */
export function keyFields(item: JsonMap, key: ListKey): JsonMap {
  const out: JsonMap = {};
  put(out, key.name, item[key.name]);
  if (key.secondary && has(item, key.secondary.field)) put(out, key.secondary.field, item[key.secondary.field]);
  return out;
}

export const DIRECTIVE = '$patch';
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
export const RETAIN_KEYS = '$retainKeys';
export const SET_ELEMENT_ORDER = '$setElementOrder';

const goTypeNames: Record<GoKind, string> = {
  map: 'map[string]interface {}',
  slice: '[]interface {}',
  string: 'string',
  number: 'float64',
  bool: 'bool',
  nil: '<nil>',
};

export function badArgType(expected: GoKind, actual: Json | undefined): PatchError {
  return new PatchError(`expected a ${goTypeNames[expected]}, but received a ${goTypeNames[goKind(actual)]}`);
}

export function noMergeKey(m: Json, key: string): PatchError {
  return new PatchError(`map: ${goString(m)} does not contain declared merge key: ${key}`);
}

export function badPatchType(t: Json, m: JsonMap): PatchError {
  return new PatchError(`unknown patch type: ${goString(t)} in map: ${goString(m)}`);
}

export const badPrimitiveListFormat = () => new PatchError('invalid patch format of primitive list');
export const badRetainKeysFormat = () => new PatchError('invalid patch format of retainKeys');
export const badSetElementOrderFormat = () => new PatchError('invalid patch format of setElementOrder list');

/** The one element type of the given lists: all the same, and not a list. */
export function sliceElementType(...lists: Json[][]): GoKind {
  let kind: GoKind | undefined;
  for (const list of lists)
    for (const v of list) {
      const k = goKind(v);
      if (kind === undefined) {
        if (k === 'slice') throw new PatchError('lists of lists are not supported');
        kind = k;
      } else if (k !== kind) throw new PatchError(`list element types are not identical: ${goString(lists as Json)}`);
    }
  if (kind === undefined) throw new PatchError('no elements in any of the given slices');
  return kind;
}

const scalarLess = (a: Json, b: Json) => compareGoStrings(goString(a), goString(b)) < 0;

/** Sorts scalars by their text, in place (Kubernetes' sortScalars). */
export function sortScalars(list: Json[]): Json[] {
  return stableSort(list, scalarLess);
}

/** Kubernetes' deduplicateScalars, in place: a later duplicate is overwritten by the last element. */
export function deduplicateScalars(list: Json[]): Json[] {
  let length = list.length - 1;
  for (let i = 0; i < length; i++)
    for (let j = i + 1; j <= length; j++)
      if (list[i] === list[j]) {
        list[j] = list[length];
        list.length = length;
        length--;
        j--;
      }
  return list;
}

/** Lists of maps sorted by the text of their merge key (a copy; "less" is "not greater", as Kubernetes'). */
export function sortMapsByField(list: Json[], key: ListKey): Json[] {
  return stableSort([...list], (a, b) => compareGoStrings(goString(identity(a as JsonMap, key)), goString(identity(b as JsonMap, key))) <= 0);
}

/**
 * Go's stable sort (insertion sort over blocks of 20, then merging), so that the order rules, whose
 * "less" is not a strict order when an element is missing from the order list, come out as in Go.
 */
export function stableSort<T>(data: T[], less: (a: T, b: T) => boolean): T[] {
  const n = data.length;
  let blockSize = 20;
  const insertion = (a: number, b: number) => {
    for (let i = a + 1; i < b; i++)
      for (let j = i; j > a && less(data[j], data[j - 1]); j--) [data[j], data[j - 1]] = [data[j - 1], data[j]];
  };
  let a = 0;
  let b = blockSize;
  while (b <= n) {
    insertion(a, b);
    a = b;
    b += blockSize;
  }
  insertion(a, n);
  while (blockSize < n) {
    a = 0;
    b = 2 * blockSize;
    while (b <= n) {
      symMerge(data, a, a + blockSize, b, less);
      a = b;
      b += 2 * blockSize;
    }
    const m = a + blockSize;
    if (m < n) symMerge(data, a, m, n, less);
    blockSize *= 2;
  }
  return data;
}

function swapRange<T>(data: T[], a: number, b: number, n: number) {
  for (let i = 0; i < n; i++) [data[a + i], data[b + i]] = [data[b + i], data[a + i]];
}

function rotate<T>(data: T[], a: number, m: number, b: number) {
  let i = m - a;
  let j = b - m;
  while (i !== j) {
    if (i > j) {
      swapRange(data, m - i, m, j);
      i -= j;
    } else {
      swapRange(data, m - i, m + j - i, i);
      j -= i;
    }
  }
  swapRange(data, m - i, m, i);
}

function symMerge<T>(data: T[], a: number, m: number, b: number, less: (x: T, y: T) => boolean) {
  if (m - a === 1) {
    let i = m;
    let j = b;
    while (i < j) {
      const h = (i + j) >>> 1;
      if (less(data[h], data[a])) i = h + 1;
      else j = h;
    }
    for (let k = a; k < i - 1; k++) [data[k], data[k + 1]] = [data[k + 1], data[k]];
    return;
  }
  if (b - m === 1) {
    let i = a;
    let j = m;
    while (i < j) {
      const h = (i + j) >>> 1;
      if (!less(data[m], data[h])) i = h + 1;
      else j = h;
    }
    for (let k = m; k > i; k--) [data[k], data[k - 1]] = [data[k - 1], data[k]];
    return;
  }
  const mid = (a + b) >>> 1;
  const n = mid + m;
  let start: number;
  let r: number;
  if (m > mid) {
    start = n - b;
    r = mid;
  } else {
    start = a;
    r = m;
  }
  const p = n - 1;
  while (start < r) {
    const c = (start + r) >>> 1;
    if (!less(data[p - c], data[c])) start = c + 1;
    else r = c;
  }
  const end = n - start;
  if (start < m && m < end) rotate(data, start, m, end);
  if (a < start && start < mid) symMerge(data, a, start, mid, less);
  if (mid < end && end < b) symMerge(data, mid, end, b, less);
}

/** The merge key's value of a map element, or the element itself for scalars. */
function keyOf(item: Json, mergeKey: ListKey, kind: GoKind): Json | undefined {
  if (kind !== 'map') return item;
  return isMap(item) ? identity(item, mergeKey) : undefined;
}

/** The position of an item in a list, by merge key for maps, or -1. */
export function indexOf(list: Json[], item: Json, mergeKey: ListKey, kind: GoKind): number {
  const k = keyOf(item, mergeKey, kind);
  return list.findIndex((v) => keyOf(v, mergeKey, kind) === k);
}

/** Every item of every list is a map carrying the merge key. */
export function validateMergeKeyInLists(mergeKey: ListKey, ...lists: Json[][]): void {
  for (const list of lists)
    for (const item of list) {
      if (!isMap(item)) throw badArgType('map', item);
      if (!has(item, mergeKey.name)) throw noMergeKey(item, mergeKey.name);
    }
}

/** Splits a list of maps into the items to keep and the `$patch: delete` items. */
export function extractToDeleteItems(list: Json[]): { keep: Json[]; toDelete: Json[] } {
  const keep: Json[] = [];
  const toDelete: Json[] = [];
  for (const v of list) {
    if (!isMap(v)) throw badArgType('map', v);
    if (has(v, DIRECTIVE) && v[DIRECTIVE] === 'delete') toDelete.push(v);
    else keep.push(v);
  }
  return { keep, toDelete };
}

/** Sorts a list by the order of another (items absent from it first), deletions last. */
export function normalizeSliceOrder(toSort: Json[], order: Json[], mergeKey: ListKey, kind: GoKind): Json[] {
  let toDelete: Json[] = [];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, toSort, order);
    ({ keep: toSort, toDelete } = extractToDeleteItems(toSort));
  }
  const sorted = stableSort([...toSort], (x, y) => {
    const ix = indexOf(order, x, mergeKey, kind);
    if (ix >= 0) {
      const iy = indexOf(order, y, mergeKey, kind);
      if (iy >= 0) return ix < iy;
    }
    return true;
  });
  return [...sorted, ...toDelete];
}

/** Interleaves the server-only items into the patch's items, keeping the live order between them. */
function mergeSortedSlice(left: Json[], right: Json[], serverOrder: Json[], mergeKey: ListKey, kind: GoKind): Json[] {
  const result: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) result.push(right[j++]);
    else if (j >= right.length) result.push(left[i++]);
    else {
      const li = indexOf(serverOrder, left[i], mergeKey, kind);
      const ri = indexOf(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) result.push(left[i++]);
      else result.push(right[j++]);
    }
  }
  return result;
}

/** The patch's items in the patch's order and the server-only ones in the live order, interleaved. */
export function normalizeElementOrder(patch: Json[], serverOnly: Json[], patchOrder: Json[], serverOrder: Json[], mergeKey: ListKey, kind: GoKind): Json[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

export function partitionPrimitives(list: Json[], by: Json[]): { inList: Json[]; rest: Json[] } {
  const set = new Set(by);
  return { inList: list.filter((v) => set.has(v)), rest: list.filter((v) => !set.has(v)) };
}

export function partitionMaps(list: Json[], by: Json[], mergeKey: ListKey): { inList: Json[]; rest: Json[] } {
  const inList: Json[] = [];
  const rest: Json[] = [];
  for (const v of list) {
    if (!isMap(v)) throw badArgType('map', v);
    if (!has(v, mergeKey.name)) throw noMergeKey(v, mergeKey.name);
    (findMap(by, mergeKey, v) ? inList : rest).push(v);
  }
  return { inList, rest };
}

/** The first map of a list with the same merge key as `item`, and its index. */
export function findMap(list: Json[], key: ListKey, item: JsonMap): { map: JsonMap; index: number } | undefined {
  const wanted = identity(item, key);
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!isMap(v)) throw new PatchError(`value for key ${i} is not a map`);
    if (has(v, key.name) && identity(v, key) === wanted) return { map: v, index: i };
  }
  return undefined;
}

/**
 * For a list with a second key, an element that does not name it (as Kubernetes' own patches
 * name only the merge key) matches by the merge key alone when exactly one element has it.
 */
export function findByMergeKeyAlone(list: Json[], key: ListKey, item: JsonMap): { map: JsonMap; index: number } | undefined {
  if (!key.secondary || has(item, key.secondary.field)) return undefined;
  const same = list.flatMap((v, index) => (isMap(v) && has(v, key.name) && v[key.name] === item[key.name] ? [{ map: v, index }] : []));
  return same.length === 1 ? same[0] : undefined;
}

export function mergeKeyValueEqual(left: Json, right: Json, mergeKey: ListKey): boolean {
  if (mergeKey.name === '') return left === right;
  if (!isMap(left)) throw badArgType('map', left);
  if (!isMap(right)) throw badArgType('map', right);
  if (!has(left, mergeKey.name)) throw noMergeKey(left, mergeKey.name);
  if (!has(right, mergeKey.name)) throw noMergeKey(right, mergeKey.name);
  return identity(left, mergeKey) === identity(right, mergeKey);
}

/** The list field a parallel directive key (`$setElementOrder/containers`) names. */
export function directiveTarget(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    if (prefix === DELETE_FROM_PRIMITIVE_LIST) throw badPrimitiveListFormat();
    throw badSetElementOrderFormat();
  }
  return key.slice(slash + 1);
}
