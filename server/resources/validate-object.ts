/**
 * Turns an input (a GraphQL input or a manifest) into a well-formed object of its kind: checks the
 * envelope, metadata and body against the kind's shapes, applies Kubernetes' defaults, runs the
 * kind's own rules. Errors name the field under `path` (`input.spec.containers[0].name`); unknown
 * fields are kept verbatim and reported as warnings.
 */
import { badInput } from '../errors.js';
import { cloneJson } from './clone-json.js';
import type { KObject, KindDef } from './kind.js';
import { checkShape, isPlainObject, type ShapeReport } from './shape.js';
import { childPath, type FieldError } from './validation/field-error.js';
import { KNOWN_METADATA, validateMetadata } from './validation/metadata.js';

const ENVELOPE = new Set(['apiVersion', 'kind', 'metadata', 'status']);

export interface Prepared {
  object: KObject;
  warnings: string[];
}

/** Throws BAD_USER_INPUT naming the first error's field, with every error listed in the message. */
export function throwIfInvalid(errors: FieldError[], path: string): void {
  if (errors.length === 0) return;
  const first = errors[0];
  const field = first.path ? childPath(path, first.path) : path;
  const err = badInput(field, first.message);
  if (errors.length > 1) {
    err.message = errors.map((e) => `${e.path ? childPath(path, e.path) : path}: ${e.message}`).join('; ');
    err.extensions.errors = errors.map((e) => ({ field: e.path ? childPath(path, e.path) : path, message: e.message }));
  }
  throw err;
}

/**
 * The object an input describes: envelope and body, metadata as given (system fields are the
 * caller's to set), status dropped. Defaults applied; validated.
 */
export function prepareObject(kind: KindDef, input: unknown, path: string): Prepared {
  if (!isPlainObject(input)) throw badInput(path, 'must be an object');
  const errors: FieldError[] = [];
  if (input.apiVersion !== undefined && input.apiVersion !== kind.apiVersion)
    errors.push({ path: 'apiVersion', message: `Invalid value: ${JSON.stringify(input.apiVersion)}: must be ${JSON.stringify(kind.apiVersion)} for kind ${kind.kind}` });
  if (input.kind !== undefined && input.kind !== kind.kind)
    errors.push({ path: 'kind', message: `Invalid value: ${JSON.stringify(input.kind)}: must be ${JSON.stringify(kind.kind)}` });
  if (!isPlainObject(input.metadata)) errors.push({ path: 'metadata', message: 'Required value' });
  throwIfInvalid(errors, path);

  const metadata = cloneJson(input.metadata) as Record<string, unknown>;
  for (const [k, v] of Object.entries(metadata)) if (v === null) delete metadata[k];
  if (kind.namespaced) metadata.namespace ??= 'default';
  else delete metadata.namespace;

  const object: KObject = { apiVersion: kind.apiVersion, kind: kind.kind, metadata: metadata as KObject['metadata'] };
  for (const [k, v] of Object.entries(input)) if (!ENVELOPE.has(k) && v !== undefined && v !== null) object[k] = cloneJson(v);

  const report: ShapeReport = { errors: validateMetadata(kind, metadata, 'metadata'), unknown: [] };
  for (const k of Object.keys(metadata)) if (!KNOWN_METADATA.has(k)) report.unknown.push(`metadata.${k}`);
  for (const [field, def] of Object.entries(kind.body)) {
    if (def.required && (object[field] === undefined || object[field] === null)) report.errors.push({ path: field, message: 'Required value' });
    else checkShape(def.shape, object[field], field, report);
  }
  for (const k of Object.keys(object)) if (!ENVELOPE.has(k) && !(k in kind.body)) report.unknown.push(k);
  throwIfInvalid(report.errors, path);

  kind.applyDefaults?.(object);
  throwIfInvalid(kind.validate?.(object) ?? [], path);
  return { object, warnings: report.unknown.map((u) => `unknown field "${u}"`) };
}

/** Checks a status against the kind's status shape; returns the unknown-field warnings. */
export function prepareStatus(kind: KindDef, status: unknown, path: string): string[] {
  if (!isPlainObject(status)) throw badInput(path, 'must be an object');
  const report: ShapeReport = { errors: [], unknown: [] };
  if (kind.status) checkShape(kind.status, status, '', report);
  throwIfInvalid(report.errors, path);
  return report.unknown.map((u) => `unknown field "status.${u}"`);
}
