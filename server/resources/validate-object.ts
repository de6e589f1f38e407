/**
 * Turns an input (a GraphQL input or a manifest) into a well-formed object of its kind: checks the
 * envelope, metadata and body against Kubernetes' OpenAPI schema of the kind and the kind's own
 * shapes, applies Kubernetes' defaults, runs the kind's own rules. Errors name the field under
 * `path` (`input.spec.containers[0].name`). A field the Kubernetes schema does not declare (a typo)
 * is refused, or dropped with a warning, or dropped silently, as `fieldValidation` says (Strict,
 * Warn, Ignore, as Kubernetes' parameter); a Kubernetes field Kubeql does not act on is kept
 * verbatim and reported as a warning.
 */
import { KubeqlError, badInput } from '../errors.js';
import { cloneJson } from './clone-json.js';
import type { KObject, KindDef } from './kind.js';
import { checkShape, isPlainObject, type ShapeReport } from './shape.js';
import { childPath, type FieldError } from './validation/field-error.js';
import { KNOWN_METADATA, validateMetadata } from './validation/metadata.js';
import { schemaFor } from './openapi/models.js';
import { checkAgainstSchema, type UnknownField } from './openapi/field-check.js';

/** What a write does with fields the Kubernetes schema does not declare (Kubernetes' `fieldValidation`). */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';
export const FIELD_VALIDATIONS: readonly FieldValidation[] = ['Strict', 'Warn', 'Ignore'];

export interface PrepareOptions {
  /** Strict (the default, as kubectl's): an undeclared field is BAD_USER_INPUT. */
  fieldValidation?: FieldValidation | null;
}

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

const unknownMessage = (u: UnknownField) => `unknown field ${JSON.stringify(u.path)}${u.suggestion ? `, did you mean ${JSON.stringify(u.suggestion)}?` : ''}`;

/** Strict: BAD_USER_INPUT naming the first undeclared field (with its likely meaning in `extensions.didYouMean`), every one listed. */
function throwUnknownFields(unknown: UnknownField[], path: string): void {
  if (unknown.length === 0) return;
  const first = unknown[0];
  const field = childPath(path, first.path);
  const err = new KubeqlError('BAD_USER_INPUT', `${field}: ${unknown.map(unknownMessage).join('; ')}`, { field });
  if (first.suggestion) err.extensions.didYouMean = childPath(path, first.suggestion);
  if (unknown.length > 1) err.extensions.errors = unknown.map((u) => ({ field: childPath(path, u.path), message: unknownMessage(u) }));
  throw err;
}

/**
 * The object an input describes: envelope and body, metadata as given (system fields are the
 * caller's to set), status dropped. Defaults applied; validated.
 */
export function prepareObject(kind: KindDef, input: unknown, path: string, options: PrepareOptions = {}): Prepared {
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

  const warnings: string[] = [];
  const schema = schemaFor(kind.apiVersion, kind.kind);
  const schemaCheck = schema ? checkAgainstSchema(schema, object) : undefined;
  if (schemaCheck) {
    const mode = options.fieldValidation ?? 'Strict';
    if (mode === 'Strict') throwUnknownFields(schemaCheck.unknown, path);
    for (const u of schemaCheck.unknown) {
      u.drop();
      if (mode === 'Warn') warnings.push(`${unknownMessage(u)} (not a Kubernetes field: dropped)`);
    }
    schemaCheck.dropNulls();
  }

  const report: ShapeReport = { errors: validateMetadata(kind, metadata, 'metadata'), unknown: [] };
  for (const k of Object.keys(metadata)) if (!KNOWN_METADATA.has(k)) report.unknown.push(`metadata.${k}`);
  for (const [field, def] of Object.entries(kind.body)) {
    if (def.required && (object[field] === undefined || object[field] === null)) report.errors.push({ path: field, message: 'Required value' });
    else checkShape(def.shape, object[field], field, report);
  }
  for (const k of Object.keys(object)) if (!ENVELOPE.has(k) && !(k in kind.body)) report.unknown.push(k);
  throwIfInvalid(report.errors, path);

  kind.applyDefaults?.(object);
  // Kubeql's own rules and wording first; the schema's errors on what they do not cover after.
  const ruleErrors = kind.validate?.(object) ?? [];
  const covered = (p: string) => ruleErrors.some((e) => p === e.path || p.startsWith(`${e.path}.`) || p.startsWith(`${e.path}[`));
  for (const e of schemaCheck?.errors ?? []) if (!covered(e.path)) ruleErrors.push(e);
  throwIfInvalid(ruleErrors, path);
  return { object, warnings: [...warnings, ...report.unknown.map((u) => `unknown field "${u}"`)] };
}

/** Checks a status against the kind's status shape; returns the unknown-field warnings. */
export function prepareStatus(kind: KindDef, status: unknown, path: string): string[] {
  if (!isPlainObject(status)) throw badInput(path, 'must be an object');
  const report: ShapeReport = { errors: [], unknown: [] };
  if (kind.status) checkShape(kind.status, status, '', report);
  throwIfInvalid(report.errors, path);
  // The schema's types and integer ranges hold for status too (an int32 restartCount, an int64 observedGeneration).
  const schema = schemaFor(kind.apiVersion, kind.kind);
  if (schema) {
    const check = checkAgainstSchema(schema, { apiVersion: kind.apiVersion, kind: kind.kind, metadata: {}, status });
    throwIfInvalid(
      check.errors.filter((e) => e.path.startsWith('status.') || e.path.startsWith('status[')).map((e) => ({ ...e, path: e.path.slice('status.'.length) })),
      path,
    );
  }
  return report.unknown.map((u) => `unknown field "status.${u}"`);
}
