/**
 * Secrets are readable only through a read of the Secret itself (get, list, watch secrets). Every
 * other path that shows an object — the audit log, the `log` subscription, history and its
 * patches — shows a Secret redacted: each value of `data` and `stringData` replaced, and the same
 * inside the last-applied-configuration annotation (which holds the manifest as applied). The log
 * keeps the object whole; redaction happens on read.
 */
import type { KObject } from './kind.js';
import { isPlainObject } from './shape.js';

export const REDACTED = '<redacted>';
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const SECRET_FIELDS = ['data', 'stringData'] as const;

function redactValues(map: unknown): unknown {
  if (!isPlainObject(map)) return map === undefined || map === null ? map : REDACTED;
  return Object.fromEntries(Object.keys(map).map((k) => [k, REDACTED]));
}

/** The last-applied manifest with its secret values redacted (all of it when it does not parse). */
function redactLastApplied(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    const manifest = JSON.parse(text) as unknown;
    if (!isPlainObject(manifest)) return REDACTED;
    return JSON.stringify(redactBody(manifest));
  } catch {
    return REDACTED;
  }
}

function redactBody<T extends Record<string, unknown>>(o: T): T {
  const copy: Record<string, unknown> = { ...o };
  for (const f of SECRET_FIELDS) if (f in copy) copy[f] = redactValues(copy[f]);
  if (isPlainObject(copy.metadata)) {
    const annotations = copy.metadata.annotations;
    if (isPlainObject(annotations) && LAST_APPLIED in annotations)
      copy.metadata = { ...copy.metadata, annotations: { ...annotations, [LAST_APPLIED]: redactLastApplied(annotations[LAST_APPLIED]) } };
  }
  return copy as T;
}

export const isSecret = (kind: string) => kind === 'Secret';

/** The object as a path other than a read of Secrets may show it: a Secret redacted, anything else as is. */
export function redactObject(kind: string, object: KObject): KObject {
  return isSecret(kind) && isPlainObject(object) ? redactBody(object) : object;
}

interface PatchOperation {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

const LAST_APPLIED_POINTER = `/metadata/annotations/${LAST_APPLIED.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** One RFC 6902 operation between two versions of a Secret, with the values it carries redacted (paths stay: they name keys, not values). */
function redactOperation(op: PatchOperation): PatchOperation {
  if (!('value' in op)) return op;
  const { path } = op;
  if (path === '' || path === '/') return { ...op, value: isPlainObject(op.value) ? redactBody(op.value) : REDACTED };
  if (/^\/(data|stringData)$/.test(path)) return { ...op, value: redactValues(op.value) };
  if (/^\/(data|stringData)\//.test(path)) return { ...op, value: REDACTED };
  if (path === '/metadata') return { ...op, value: isPlainObject(op.value) ? (redactBody({ metadata: op.value }).metadata as unknown) : op.value };
  if (path === '/metadata/annotations' && isPlainObject(op.value) && LAST_APPLIED in op.value)
    return { ...op, value: { ...op.value, [LAST_APPLIED]: redactLastApplied(op.value[LAST_APPLIED]) } };
  if (path === LAST_APPLIED_POINTER) return { ...op, value: redactLastApplied(op.value) };
  return op;
}

/** A patch between two versions of an object as paths other than a read of Secrets may show it. */
export function redactPatch<T extends PatchOperation>(kind: string, operations: T[]): T[] {
  return isSecret(kind) ? (operations.map(redactOperation) as T[]) : operations;
}
