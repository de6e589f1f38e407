/**
 * Shapes: one description of a kind's body that drives three things at once:
 * the typed GraphQL types (SDL), structural validation with field paths, and
 * the "unknown field" warnings for what Kubeql keeps but does not act on.
 */
import { childPath, mapKeyPath, type FieldError } from './validation/field-error.js';
import { isPlainObject } from './plain-object.js';

export type Shape =
  | { t: 'string'; enum?: readonly string[] }
  | { t: 'int'; min?: number; max?: number }
  | { t: 'bool' }
  | { t: 'dateTime' }
  | { t: 'json' }
  | { t: 'stringMap' }
  | { t: 'intOrString' }
  | { t: 'array'; of: Shape }
  | ObjectShape;

export interface ObjectShape {
  t: 'object';
  /** GraphQL type name; the same object shape may appear under several kinds. */
  name: string;
  fields: Record<string, Field>;
  /** Extra fields are allowed without a warning (free-form maps such as `capacity`). */
  open?: boolean;
}

export interface Field {
  shape: Shape;
  required?: boolean;
  description?: string;
}

type FieldSpec = Shape | Field;

export const str = (values?: readonly string[]): Shape => ({ t: 'string', enum: values });
export const int = (min?: number, max?: number): Shape => ({ t: 'int', min, max });
export const bool: Shape = { t: 'bool' };
export const dateTime: Shape = { t: 'dateTime' };
export const json: Shape = { t: 'json' };
export const stringMap: Shape = { t: 'stringMap' };
export const intOrString: Shape = { t: 'intOrString' };
export const arr = (of: Shape): Shape => ({ t: 'array', of });
export const req = (shape: Shape, description?: string): Field => ({ shape, required: true, description });

export function obj(name: string, fields: Record<string, FieldSpec>, options: { open?: boolean } = {}): ObjectShape {
  const normalized: Record<string, Field> = {};
  for (const [key, spec] of Object.entries(fields)) normalized[key] = 'shape' in spec ? spec : { shape: spec };
  return { t: 'object', name, fields: normalized, open: options.open };
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
      for (const [key, field] of Object.entries(shape.fields)) {
        const v = value[key];
        if (field.required && (v === undefined || v === null)) fail(report, childPath(path, key), 'Required value');
        else checkShape(field.shape, v, childPath(path, key), report);
      }
      if (!shape.open) for (const key of Object.keys(value)) if (!(key in shape.fields)) report.unknown.push(childPath(path, key));
      return;
    }
  }
}

export { isPlainObject } from './plain-object.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function fail(report: ShapeReport, path: string, message: string): void {
  report.errors.push({ path, message });
}
