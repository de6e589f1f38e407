/**
 * An object checked against its kind's Kubernetes OpenAPI schema: the schema's own errors (types,
 * int32 ranges, enums, required fields) with field paths, integers beyond what int64 and a JSON
 * number carry, the fields the schema does not declare (typos: `spec.replica`, `imagePullPolice`)
 * each with the declared name it most likely meant, and the nulls that decoding into Kubernetes'
 * types drops.
 *
 * How the declared fields are known: the schema's compiled validator reads every declared
 * property of each object it checks, and enumerates the keys of free-form maps (labels, quantity
 * maps). The object is validated through a proxy that records those reads; a key of the object
 * the validator never read is not in the schema, a map the validator enumerated is free-form, and
 * an object it never looked into (an embedded raw JSON value) is taken as it is.
 */
import { isPlainObject } from '../shape.js';
import { childPath, mapKeyPath, type FieldError } from '../validation/field-error.js';
import { quantityErrors } from '../quantity.js';
import { didYouMean } from './did-you-mean.js';
import type { KindSchema, SchemaError } from './models.js';

export interface UnknownField {
  /** `spec.replica`, relative to the object. */
  path: string;
  /** The declared field it most likely meant (`spec.replicas`), if one is close. */
  suggestion?: string;
  /** Removes the field from the object (Warn and Ignore drop it, as Kubernetes' decoder does). */
  drop(): void;
}

export interface SchemaCheck {
  errors: FieldError[];
  unknown: UnknownField[];
  /** Removes the null-valued fields of declared objects, as decoding into Kubernetes' types does. */
  dropNulls(): void;
}

interface Reads {
  keys: Set<string>;
  enumerated: boolean;
}

/**
 * Wraps `value` so that reads of its properties, and of theirs, are recorded by schema position:
 * the path with list indices as `[]` and the entries of an enumerated map as `*`, so one record
 * serves every list item and every write (one proxy per object).
 */
function recorder(reads: Map<string, Reads>) {
  // By object and position: one object may sit at two positions (a shared reference in a value built in memory).
  const proxies = new WeakMap<object, Map<string, object>>();
  const wrap = (value: unknown, at: string): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    let byPosition = proxies.get(value);
    const known = byPosition?.get(at);
    if (known) return known;
    let rec = reads.get(at);
    if (!rec) reads.set(at, (rec = { keys: new Set(), enumerated: false }));
    const r = rec;
    const isArray = Array.isArray(value);
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver);
        if (typeof key !== 'string') return v;
        r.keys.add(key);
        if (typeof v !== 'object' || v === null || !Object.hasOwn(target, key)) return v;
        return wrap(v, position(at, key, isArray, r.enumerated));
      },
      has(target, key) {
        if (typeof key === 'string') r.keys.add(key);
        return Reflect.has(target, key);
      },
      ownKeys(target) {
        r.enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
    if (!byPosition) proxies.set(value, (byPosition = new Map()));
    byPosition.set(at, proxy);
    return proxy;
  };
  return wrap;
}

/** The schema position of a child: `a[]` for a list item, `a.*` for a map entry, `a.key` for a field. */
function position(parent: string, key: string, isArray: boolean, enumerated: boolean): string {
  if (isArray) return itemAt(parent);
  return enumerated ? entryAt(parent) : fieldAt(parent, key);
}

/**
 * Child positions made once: every write's check walks its object position by position, and a
 * position made anew each time was a string to build and hash per key per write. Only positions of
 * declared fields are asked for (a key the schema does not declare is never descended into), so
 * the schemas bound them; the caps bound them even so.
 */
interface Children {
  fields: Map<string, string>;
  item?: string;
  entry?: string;
}
const childPositions = new Map<string, Children>();
function childrenOf(parent: string): Children {
  let children = childPositions.get(parent);
  if (!children) {
    if (childPositions.size >= MAX_POSITIONS) childPositions.clear();
    childPositions.set(parent, (children = { fields: new Map() }));
  }
  return children;
}
/** `a.key`: the position of field `key` of the object at `parent`. */
function fieldAt(parent: string, key: string): string {
  const { fields } = childrenOf(parent);
  let at = fields.get(key);
  if (at === undefined) {
    if (fields.size >= MAX_POSITIONS) fields.clear();
    fields.set(key, (at = `${parent}.${key}`));
  }
  return at;
}
/** `a[]`: the position of the items of the list at `parent`. */
const itemAt = (parent: string): string => (childrenOf(parent).item ??= `${parent}[]`);
/** `a.*`: the position of the entries of the map at `parent`. */
const entryAt = (parent: string): string => (childrenOf(parent).entry ??= `${parent}.*`);

/**
 * What the validator read at each schema position, per kind: learnt once by validating through
 * the proxy, then reused, so a write pays for the proxy only when it reaches a position no write
 * reached before. `FREE`: the validator did not look into the object there (raw JSON).
 */
const FREE = 'free' as const;
type Learnt = Map<string, Reads | typeof FREE>;
const learntBySchema = new WeakMap<KindSchema, Learnt>();
/** Positions are bounded by the schema's structure; this bounds them even so. */
const MAX_POSITIONS = 20_000;

function learnt(schema: KindSchema): Learnt {
  let map = learntBySchema.get(schema);
  if (!map) learntBySchema.set(schema, (map = new Map()));
  return map;
}

/** Whether every object of `value` sits at a position already learnt (so no probe is needed). */
function allLearnt(value: unknown, at: string, known: Learnt): boolean {
  if (typeof value !== 'object' || value === null) return true;
  const rec = known.get(at);
  if (rec === undefined) return false;
  if (rec === FREE || (rec.keys.size === 0 && !rec.enumerated)) return true;
  if (Array.isArray(value)) {
    const item = itemAt(at);
    return value.every((v) => allLearnt(v, item, known));
  }
  const entry = rec.enumerated ? entryAt(at) : undefined;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const v = (value as Record<string, unknown>)[key];
    if (typeof v !== 'object' || v === null) continue;
    if (entry !== undefined) {
      if (!allLearnt(v, entry, known)) return false;
    } else if (rec.keys.has(key) && !allLearnt(v, fieldAt(at, key), known)) return false;
  }
  return true;
}

/** Folds one probe's reads into what is learnt; objects the validator did not look into become FREE. */
function learn(value: unknown, at: string, reads: Map<string, Reads>, known: Learnt, max = Infinity): void {
  if (typeof value !== 'object' || value === null || known.size >= max) return;
  const rec = reads.get(at);
  const had = known.get(at);
  // Not looked into, or looked at without reading a property (an object the schema leaves free: fieldsV1).
  if (!rec || (rec.keys.size === 0 && !rec.enumerated)) {
    if (had === undefined) known.set(at, FREE);
    return;
  }
  if (had === undefined || had === FREE) known.set(at, { keys: new Set(rec.keys), enumerated: rec.enumerated });
  else {
    for (const k of rec.keys) had.keys.add(k);
    had.enumerated ||= rec.enumerated;
  }
  if (Array.isArray(value)) return value.forEach((item) => learn(item, itemAt(at), reads, known, max));
  for (const [key, v] of Object.entries(value)) {
    if (rec.enumerated) learn(v, entryAt(at), reads, known, max);
    else if (rec.keys.has(key)) learn(v, fieldAt(at, key), reads, known, max);
  }
}

/** A JSON pointer (`/spec/containers/0/name`) as a field path (`spec.containers[0].name`), and the value there. */
function resolvePointer(root: unknown, pointer: string): { path: string; value: unknown } {
  let path = '';
  let value = root;
  if (pointer === '') return { path, value };
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value)) {
      path = childPath(path, Number(key));
      value = value[Number(key)];
    } else {
      path = mapKeyPath(path, key);
      value = isPlainObject(value) ? value[key] : undefined;
    }
  }
  return { path, value };
}

const INT32 = '(between -2147483648 and 2147483647)';
const TYPE_NAMES: Record<string, string> = { string: 'a string', integer: 'an integer', number: 'a number', boolean: 'a boolean', object: 'an object', array: 'a list' };

function schemaErrorToFieldError(root: unknown, e: SchemaError): FieldError | undefined {
  const at = resolvePointer(root, e.instancePath);
  const shown = JSON.stringify(at.value);
  switch (e.keyword) {
    case 'required':
      // The API server decodes into Go structs: a field the OpenAPI document marks required but the
      // request leaves out is its zero value, refused only where validation says so (Kubeql's rules
      // do the same). So `required` is not an error here (NodeSystemInfo's ten required strings
      // are not required of a kubelet's status update).
      return undefined;
    case 'type': {
      const types = String(e.params.type).split(',');
      return { path: at.path, message: `must be ${types.map((t) => TYPE_NAMES[t] ?? t).join(' or ')}` };
    }
    case 'format':
      if (e.params.format === 'int32') return { path: at.path, message: `Invalid value: ${shown}: must be an int32 ${INT32}` };
      return { path: at.path, message: `Invalid value: ${shown}: must be a valid ${String(e.params.format)}` };
    case 'enum':
      return {
        path: at.path,
        message: `Unsupported value: ${shown}: supported values: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    default:
      return { path: at.path, message: `Invalid value: ${shown}: ${e.message ?? e.keyword}` };
  }
}

/** JSON numbers are doubles: an integer beyond 2^53 is not the integer that was written. */
const int64Error = (v: number) => `Invalid value: ${JSON.stringify(v)}: must be an integer between -9007199254740991 and 9007199254740991 (an int64 that a JSON number carries exactly)`;

/** Checks `object` (an envelope with metadata and body) against `schema`. Changes nothing until `drop` or `dropNulls` is called. */
export function checkAgainstSchema(schema: KindSchema, object: Record<string, unknown>): SchemaCheck {
  let known = learnt(schema);
  let schemaErrors: SchemaError[];
  if (allLearnt(object, '', known)) schemaErrors = schema.validate(object);
  else {
    const reads = new Map<string, Reads>();
    schemaErrors = schema.validate(recorder(reads)(object, '') as object);
    // A value of the wrong type is not looked into: learning from it would take its position for
    // raw JSON and let every later write through there unchecked. Only well-typed objects teach.
    if (!schemaErrors.some((e) => e.keyword === 'type')) learn(object, '', reads, known, MAX_POSITIONS);
    // This object is judged by its own probe, whatever the bound let the shared record keep.
    known = new Map();
    learn(object, '', reads, known);
  }
  const errors: FieldError[] = [];
  const reported = new Set<string>();
  // A quantity (string or number) fails the schema's pattern and its alternatives at once: it is
  // judged by Kubernetes' own parser instead, with ParseQuantity's wording.
  const quantities = new Set(schemaErrors.filter((e) => e.keyword === 'format' && e.params.format === 'quantity').map((e) => e.instancePath));
  for (const p of quantities) {
    const at = resolvePointer(object, p);
    reported.add(at.path);
    for (const m of quantityErrors(at.value)) errors.push({ path: at.path, message: `Invalid value: ${JSON.stringify(at.value)}: ${m}` });
  }
  for (const e of schemaErrors) {
    if (quantities.has(e.instancePath)) continue;
    const fe = schemaErrorToFieldError(object, e);
    if (!fe || reported.has(fe.path)) continue;
    reported.add(fe.path);
    errors.push(fe);
  }

  const unknown: UnknownField[] = [];
  const nulls: Array<[Record<string, unknown>, string]> = [];
  /** `path` names the value for messages; `at` is its schema position. */
  // A value of the wrong type is reported as such, not as a bag of undeclared fields.
  const mistyped = new Set(schemaErrors.filter((e) => e.keyword === 'type').map((e) => resolvePointer(object, e.instancePath).path));
  const walk = (value: unknown, path: string, at: string): void => {
    if (typeof value !== 'object' || value === null || mistyped.has(path)) return;
    const rec = known.get(at);
    if (rec === undefined || rec === FREE || (rec.keys.size === 0 && !rec.enumerated)) return; // never looked into: free-form
    // Paths (for messages) are made only for what is reported or descended into: most values are strings.
    if (Array.isArray(value)) {
      const item = itemAt(at);
      value.forEach((v, i) => {
        if (typeof v === 'object' && v !== null) walk(v, childPath(path, i), item);
      });
      return;
    }
    const obj = value as Record<string, unknown>;
    const entry = rec.enumerated ? entryAt(at) : undefined;
    for (const key in obj) {
      if (!Object.hasOwn(obj, key)) continue;
      const v = obj[key];
      if (entry !== undefined) {
        if (typeof v === 'object' && v !== null) walk(v, childPath(path, key), entry);
        continue;
      }
      if (!rec.keys.has(key)) {
        const suggestion = didYouMean(key, rec.keys);
        unknown.push({ path: childPath(path, key), suggestion: suggestion === undefined ? undefined : childPath(path, suggestion), drop: () => delete obj[key] });
        continue;
      }
      if (v === null) nulls.push([obj, key]);
      else if (typeof v === 'number') {
        if (Number.isInteger(v) && !Number.isSafeInteger(v)) {
          const child = childPath(path, key);
          if (reported.has(child)) continue;
          reported.add(child);
          errors.push({ path: child, message: int64Error(v) });
        }
      } else if (typeof v === 'object') walk(v, childPath(path, key), fieldAt(at, key));
    }
  };
  walk(object, '', '');
  return {
    errors,
    unknown,
    dropNulls: () => {
      for (const [obj, key] of nulls) if (obj[key] === null) delete obj[key];
    },
  };
}
