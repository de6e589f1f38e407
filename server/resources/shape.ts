/**
 * Shapes: one description of a kind's body that drives three things at once:
 * the typed GraphQL types (SDL), structural validation with field paths, and
 * the "unknown field" warnings for what Kubeql keeps but does not act on.
 */
import { childPath, mapKeyPath, type FieldError } from './validation/field-error.js';
import { isPlainObject } from './plain-object.js';
import type { ObjectMeta } from './kind.js';

/** The TypeScript type a shape describes, carried by the shape's type only (never set at run time). */
declare const VALUE: unique symbol;
interface Typed<T> {
  readonly [VALUE]?: T;
}

export type StringShape<V extends string = string> = { t: 'string'; enum?: readonly V[] } & Typed<V>;
export type IntShape = { t: 'int'; min?: number; max?: number } & Typed<number>;
export type BoolShape = { t: 'bool' } & Typed<boolean>;
export type DateTimeShape = { t: 'dateTime' } & Typed<string>;
/** Any JSON, not checked; `T` is what the code may assume of it (`jsonOf<NodeAffinity>()`). */
export type JsonShape<T = unknown> = { t: 'json' } & Typed<T>;
export type StringMapShape = { t: 'stringMap' } & Typed<Record<string, string>>;
export type IntOrStringShape = { t: 'intOrString' } & Typed<number | string>;
export interface ArrayShape<I extends Shape = Shape> {
  t: 'array';
  of: I;
}

export type Shape = StringShape<string> | IntShape | BoolShape | DateTimeShape | JsonShape<unknown> | StringMapShape | IntOrStringShape | ArrayShape | ObjectShape;

export interface ObjectShape<F extends Fields = Fields> {
  t: 'object';
  /** GraphQL type name; the same object shape may appear under several kinds. */
  name: string;
  fields: F;
  /** Extra fields are allowed without a warning (free-form maps such as `capacity`). */
  open?: boolean;
}

export interface Field<S extends Shape = Shape> {
  shape: S;
  required?: boolean;
  description?: string;
}

export type Fields = Record<string, Field>;
type FieldSpec = Shape | Field;
/** `obj`'s fields as given (a shape, or `req(shape)`) made into Fields. */
type FieldsOf<F extends Record<string, FieldSpec>> = { [K in keyof F]: F[K] extends Field ? F[K] : F[K] extends Shape ? Field<F[K]> : never };

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type RequiredKeys<F extends Fields> = { [K in keyof F]: F[K] extends { required: true } ? K : never }[keyof F];
type OptionalKeys<F extends Fields> = Exclude<keyof F, RequiredKeys<F>>;

/** The object type of a set of fields: `req` fields required, the others optional. */
export type InferFields<F extends Fields> = Simplify<{ [K in RequiredKeys<F>]: Infer<F[K]['shape']> } & { [K in OptionalKeys<F>]?: Infer<F[K]['shape']> }>;

/**
 * The TypeScript type of the values a shape accepts: `Infer<typeof PodSpec>` is a pod spec,
 * `Infer<typeof PodShape>` a Pod (kind-shape.ts).
 */
export type Infer<S> = S extends KindShape<infer K, infer B, infer St>
  ? InferKind<K, B, St>
  : S extends ObjectShape<infer F>
  ? InferFields<F>
  : S extends ArrayShape<infer I>
    ? Infer<I>[]
    : S extends Typed<infer T>
      ? T
      : unknown;

/** A kind's whole object: the Kubernetes envelope, its body fields (`spec`, `subsets`, ...) and its status. */
export interface KindShape<K extends string = string, B extends Fields = Fields, S extends ObjectShape | undefined = ObjectShape | undefined> {
  t: 'kind';
  kind: K;
  apiVersion: string;
  body: B;
  status: S;
}

type InferKind<K extends string, B extends Fields, S> = Simplify<
  { apiVersion: string; kind: K; metadata: ObjectMeta } & InferFields<B> & (S extends ObjectShape ? { status?: Infer<S> } : {})
>;

export function kindShape<const K extends string, const B extends Record<string, FieldSpec>, S extends ObjectShape | undefined = undefined>(
  kind: K,
  apiVersion: string,
  body: B,
  status?: S,
): KindShape<K, FieldsOf<B>, S> {
  return { t: 'kind', kind, apiVersion, body: obj(kind, body).fields, status: status as S };
}

export const str = <const V extends string = string>(values?: readonly V[]): StringShape<V> => ({ t: 'string', enum: values });
export const int = (min?: number, max?: number): IntShape => ({ t: 'int', min, max });
export const bool: BoolShape = { t: 'bool' };
export const dateTime: DateTimeShape = { t: 'dateTime' };
export const json: JsonShape = { t: 'json' };
/** JSON that is not checked here but that the code reads as `T` (checked by a kind's validate, or trusted as written by the server). */
export const jsonOf = <T>(): JsonShape<T> => ({ t: 'json' });
export const stringMap: StringMapShape = { t: 'stringMap' };
export const intOrString: IntOrStringShape = { t: 'intOrString' };
export const arr = <I extends Shape>(of: I): ArrayShape<I> => ({ t: 'array', of });
export const req = <S extends Shape>(shape: S, description?: string): Field<S> & { required: true } => ({ shape, required: true, description });

export function obj<const F extends Record<string, FieldSpec>>(name: string, fields: F, options: { open?: boolean } = {}): ObjectShape<FieldsOf<F>> {
  const normalized: Record<string, Field> = {};
  for (const [key, spec] of Object.entries(fields)) normalized[key] = 'shape' in spec ? spec : { shape: spec };
  return { t: 'object', name, fields: normalized as FieldsOf<F>, open: options.open };
}

export interface ShapeReport {
  errors: FieldError[];
  /** Paths of fields present in the value that the shape does not know. */
  unknown: string[];
}

/** Checks `value` against `shape`; `path` names it (`spec`). */
export function checkShape(shape: Shape, value: unknown, path: string, report: ShapeReport): void {
  if (value === null || value === undefined) return;
  switch (shape.t) {
    case 'string':
      if (typeof value !== 'string') return fail(report, path, 'must be a string');
      if (shape.enum && !shape.enum.includes(value))
        return fail(report, path, `Unsupported value: ${JSON.stringify(value)}: supported values: ${shape.enum.map((v) => `"${v}"`).join(', ')}`);
      return;
    case 'int':
      if (typeof value !== 'number' || !Number.isInteger(value)) return fail(report, path, 'must be an integer');
      if (shape.min !== undefined && value < shape.min) return fail(report, path, `Invalid value: ${value}: must be greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value > shape.max) return fail(report, path, `Invalid value: ${value}: must be less than or equal to ${shape.max}`);
      return;
    case 'bool':
      if (typeof value !== 'boolean') fail(report, path, 'must be a boolean');
      return;
    case 'dateTime':
      if (typeof value !== 'string' || !RFC3339.test(value)) fail(report, path, 'must be an RFC 3339 date-time (2006-01-02T15:04:05Z)');
      return;
    case 'json':
      return;
    case 'stringMap':
      if (!isPlainObject(value)) return fail(report, path, 'must be an object of strings');
      for (const [k, v] of Object.entries(value)) if (typeof v !== 'string') fail(report, mapKeyPath(path, k), 'must be a string');
      return;
    case 'intOrString':
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value)))
        fail(report, path, 'must be an integer or a string');
      return;
    case 'array':
      if (!Array.isArray(value)) return fail(report, path, 'must be a list');
      value.forEach((item, i) => checkShape(shape.of, item, childPath(path, i), report));
      return;
    case 'object': {
      if (!isPlainObject(value)) return fail(report, path, 'must be an object');
      // Every declared field, in order (a pod spec declares dozens, a write sets a few): a field's
      // path is built only when it holds a value or is required.
      for (const [key, field] of fieldsOf(shape)) {
        const v = value[key];
        if (v !== undefined && v !== null) checkShape(field.shape, v, childPath(path, key), report);
        else if (field.required) fail(report, childPath(path, key), 'Required value');
      }
      if (!shape.open) for (const key of Object.keys(value)) if (!Object.hasOwn(shape.fields, key)) report.unknown.push(childPath(path, key));
      return;
    }
  }
}

/** An object shape's fields as entries, made once per shape. */
const entries = new WeakMap<ObjectShape, [string, Field][]>();
function fieldsOf(shape: ObjectShape): [string, Field][] {
  let list = entries.get(shape);
  if (!list) entries.set(shape, (list = Object.entries(shape.fields)));
  return list;
}

export { isPlainObject } from './plain-object.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function fail(report: ShapeReport, path: string, message: string): void {
  report.errors.push({ path, message });
}
