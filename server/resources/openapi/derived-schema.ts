/**
 * A structural OpenAPI v3 schema of a kind (properties, types, int32/int64 and other formats,
 * enums, lists, maps, int-or-string, free-form fields), derived from the schema kubernetes-models
 * ships compiled into validators: each position is probed with values of several types and read
 * back from the validator's errors and property reads. What it cannot give is Kubernetes'
 * descriptions (the package does not ship them). For a later `/openapi/v3` and `kubectl explain`
 * (fields and types), and for tests that want to know what Kubernetes declares.
 */
import { schemaFor, type KindSchema, type SchemaError } from './models.js';

export interface DerivedSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  enum?: string[];
  properties?: Record<string, DerivedSchema>;
  additionalProperties?: DerivedSchema;
  items?: DerivedSchema;
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-preserve-unknown-fields'?: true;
}

/** A position: field names, and '[]' for a list's item, '*' for a map's entry. */
type Position = string[];

const MAX_DEPTH = 24;

function pointer(position: Position): string {
  return position.map((p) => (p === '[]' ? '/0' : p === '*' ? '/k' : `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`)).join('');
}

/** The root object with `value` placed at `position` (lists of one item, maps of one entry `k`). */
function place(apiVersion: string, kind: string, position: Position, value: unknown): unknown {
  if (position.length === 0) return value;
  const root: Record<string, unknown> = { apiVersion, kind, metadata: { name: 'probe' } };
  let slot: unknown = root;
  position.forEach((p, i) => {
    const last = i === position.length - 1;
    const next = last ? value : position[i + 1] === '[]' ? [] : {};
    if (Array.isArray(slot)) slot[0] = next;
    else (slot as Record<string, unknown>)[p === '*' ? 'k' : p] = next;
    slot = next;
  });
  return root;
}

/** Records which properties the validator reads of the object at `position`, and whether it enumerates it. */
function readsAt(schema: KindSchema, position: Position): { keys: string[]; enumerated: boolean } | undefined {
  let seen: { keys: Set<string>; enumerated: boolean } | undefined;
  const target = {};
  const spy = new Proxy(target, {
    get(t, key, r) {
      if (typeof key === 'string') (seen ??= { keys: new Set(), enumerated: false }).keys.add(key);
      return Reflect.get(t, key, r);
    },
    has(t, key) {
      if (typeof key === 'string') (seen ??= { keys: new Set(), enumerated: false }).keys.add(key);
      return Reflect.has(t, key);
    },
    ownKeys(t) {
      (seen ??= { keys: new Set(), enumerated: false }).enumerated = true;
      return Reflect.ownKeys(t);
    },
  });
  schema.validate(place(schema.apiVersion, schema.kind, position, spy) as object);
  return seen && { keys: [...seen.keys].filter((k) => k !== 'constructor' && k !== 'length'), enumerated: seen.enumerated };
}

function errorsAt(schema: KindSchema, position: Position, value: unknown): SchemaError[] {
  const at = pointer(position);
  return schema.validate(place(schema.apiVersion, schema.kind, position, value) as object).filter((e) => e.instancePath === at);
}

function derive(schema: KindSchema, position: Position, depth: number): DerivedSchema {
  if (depth > MAX_DEPTH) return { 'x-kubernetes-preserve-unknown-fields': true };
  const asObject = errorsAt(schema, position, {});
  const types = new Set(asObject.filter((e) => e.keyword === 'type').flatMap((e) => String(e.params.type).split(',')));
  if (types.size === 0) {
    const reads = readsAt(schema, position);
    if (!reads) return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    if (reads.enumerated && reads.keys.length === 0) return { type: 'object', additionalProperties: derive(schema, [...position, '*'], depth + 1) };
    const properties: Record<string, DerivedSchema> = {};
    for (const key of reads.keys.sort()) properties[key] = derive(schema, [...position, key], depth + 1);
    return { type: 'object', properties };
  }
  if (types.has('string') && (types.has('integer') || types.has('number'))) return { 'x-kubernetes-int-or-string': true };
  if (types.has('array')) return { type: 'array', items: derive(schema, [...position, '[]'], depth + 1) };
  if (types.has('string')) {
    const out: DerivedSchema = { type: 'string' };
    for (const e of errorsAt(schema, position, '\u0000')) {
      if (e.keyword === 'enum') out.enum = (e.params.allowedValues as unknown[]).map(String);
      if (e.keyword === 'format') out.format = String(e.params.format);
    }
    return out;
  }
  if (types.has('integer')) {
    const int32 = errorsAt(schema, position, 2 ** 40).some((e) => e.keyword === 'format' && e.params.format === 'int32');
    return { type: 'integer', format: int32 ? 'int32' : 'int64' };
  }
  if (types.has('boolean')) return { type: 'boolean' };
  if (types.has('number')) return { type: 'number' };
  return {};
}

const derived = new WeakMap<KindSchema, DerivedSchema>();

/** The kind's structural schema (computed once per kind). */
export function derivedSchema(schema: KindSchema): DerivedSchema {
  let out = derived.get(schema);
  if (!out) derived.set(schema, (out = derive(schema, [], 0)));
  return out;
}

/** The schema at a dotted field path (`spec.containers.ports`, as kubectl explain names it), or undefined. */
export function schemaAt(root: DerivedSchema, path: string): DerivedSchema | undefined {
  let at: DerivedSchema | undefined = root;
  for (const part of path.split('.').filter(Boolean)) {
    while (at?.items) at = at.items;
    at = at?.properties?.[part];
  }
  return at;
}


/** The structural schema of a kind Kubeql serves, by apiVersion and kind; undefined when Kubernetes does not define it. */
export function derivedSchemaFor(apiVersion: string, kind: string): DerivedSchema | undefined {
  const schema = schemaFor(apiVersion, kind);
  return schema && derivedSchema(schema);
}
