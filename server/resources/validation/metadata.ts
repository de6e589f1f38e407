/** Validation of an object's metadata, as Kubernetes' ValidateObjectMeta does it. */
import type { KindDef } from '../kind.js';
import { isPlainObject } from '../plain-object.js';
import { childPath, type FieldError } from './field-error.js';
import { qualifiedNameErrors, validateAnnotations, validateLabels } from './labels.js';
import { dns1123LabelErrors } from './names.js';

const invalid = (value: unknown, message: string) => `Invalid value: ${JSON.stringify(value)}: ${message}`;

/** schema.ParseGroupVersion succeeds with a version: `v1`, `apps/v1` (not `apps/`, `a/b/c`). */
function isGroupVersion(s: string): boolean {
  const parts = s.split('/');
  if (parts.length === 1) return parts[0] !== '';
  return parts.length === 2 && parts[1] !== '';
}

export function validateMetadata(kind: KindDef, meta: Record<string, unknown>, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const at = (field: string) => childPath(path, field);
  const { name, generateName, namespace } = meta;

  if (name === undefined || name === '') {
    if (generateName === undefined || generateName === '')
      errors.push({ path: at('name'), message: 'Required value: name or generateName is required' });
  } else if (typeof name !== 'string') errors.push({ path: at('name'), message: 'must be a string' });
  else for (const m of kind.nameErrors(name)) errors.push({ path: at('name'), message: invalid(name, m) });

  if (generateName !== undefined && generateName !== '') {
    if (typeof generateName !== 'string') errors.push({ path: at('generateName'), message: 'must be a string' });
    else {
      // As Kubernetes: the prefix is valid if it would be a valid name once a suffix is added.
      const prefix = generateName.endsWith('-') ? generateName.slice(0, -1) : generateName;
      for (const m of kind.nameErrors(prefix || 'a')) errors.push({ path: at('generateName'), message: invalid(generateName, m) });
    }
  }

  if (kind.namespaced && namespace !== undefined) {
    if (typeof namespace !== 'string') errors.push({ path: at('namespace'), message: 'must be a string' });
    else for (const m of dns1123LabelErrors(namespace)) errors.push({ path: at('namespace'), message: invalid(namespace, m) });
  }

  if (meta.labels !== undefined && meta.labels !== null) errors.push(...validateLabels(meta.labels, at('labels')));
  if (meta.annotations !== undefined && meta.annotations !== null) errors.push(...validateAnnotations(meta.annotations, at('annotations')));

  if (meta.finalizers !== undefined && meta.finalizers !== null) {
    if (!Array.isArray(meta.finalizers)) errors.push({ path: at('finalizers'), message: 'must be a list of strings' });
    else
      meta.finalizers.forEach((f, i) => {
        if (typeof f !== 'string') errors.push({ path: childPath(at('finalizers'), i), message: 'must be a string' });
        else for (const m of qualifiedNameErrors(f)) errors.push({ path: childPath(at('finalizers'), i), message: invalid(f, m) });
      });
    // ValidateFinalizers: orphaning and foreground deletion exclude each other.
    if (Array.isArray(meta.finalizers) && meta.finalizers.includes('orphan') && meta.finalizers.includes('foregroundDeletion'))
      errors.push({ path: at('finalizers'), message: invalid(meta.finalizers, 'finalizer orphan and foregroundDeletion cannot be both set') });
  }

  if (meta.ownerReferences !== undefined && meta.ownerReferences !== null) {
    if (!Array.isArray(meta.ownerReferences)) errors.push({ path: at('ownerReferences'), message: 'must be a list' });
    else {
      const controllers: string[] = [];
      meta.ownerReferences.forEach((ref, i) => {
        const refPath = childPath(at('ownerReferences'), i);
        if (!isPlainObject(ref)) return errors.push({ path: refPath, message: 'must be an object' });
        for (const field of ['apiVersion', 'kind', 'name', 'uid'])
          if (typeof ref[field] !== 'string' || ref[field] === '') errors.push({ path: childPath(refPath, field), message: 'Required value: must not be empty' });
        if (typeof ref.apiVersion === 'string' && ref.apiVersion !== '' && !isGroupVersion(ref.apiVersion))
          errors.push({ path: childPath(refPath, 'apiVersion'), message: invalid(ref.apiVersion, 'must be <group>/<version> or <version>') });
        if (typeof ref.apiVersion === 'string' && isGroupVersion(ref.apiVersion) && ref.kind === 'Event' && ref.apiVersion === 'v1')
          errors.push({ path: refPath, message: 'Invalid value: /v1, Kind=Event is disallowed from being an owner' });
        for (const field of ['controller', 'blockOwnerDeletion'])
          if (ref[field] !== undefined && ref[field] !== null && typeof ref[field] !== 'boolean')
            errors.push({ path: childPath(refPath, field), message: 'must be a boolean' });
        if (ref.controller === true) controllers.push(`${String(ref.kind)}/${String(ref.name)}`);
      });
      if (controllers.length > 1)
        errors.push({
          path: at('ownerReferences'),
          message: `Invalid value: Only one reference can have Controller set to true. Found "true" in references for ${controllers[0]} and ${controllers[1]}`,
        });
    }
  }
  return errors;
}

/** Metadata fields an input may carry; anything else is kept and reported as unknown. */
export const KNOWN_METADATA = new Set([
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'finalizers',
  'ownerReferences',
  'managedFields',
  'selfLink',
]);
