/**
 * update (and the update that patch and apply end in): replaces labels, annotations, finalizers,
 * ownerReferences and the body; keeps status and system fields; bumps generation only when the
 * body changed; appends nothing when nothing changed; removes a deleting object whose last
 * finalizer went.
 */
import { isDeepStrictEqual } from 'node:util';
import { KubeqlError, badInput } from '../../errors.js';
import type { KObject, KindDef } from '../../resources/kind.js';
import { throwIfInvalid, type Prepared } from '../../resources/validate-object.js';
import type { Verb, WriteTx } from '../../store/types.js';
import { canRemove } from './remove-if-done.js';
import type { VerbContext } from './verb-context.js';

const ENVELOPE = new Set(['apiVersion', 'kind', 'metadata', 'status']);

export function bodyOf(o: KObject): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!ENVELOPE.has(k)) body[k] = v;
  return body;
}

export interface UpdateOptions {
  verb: Verb;
  requestId?: string | null;
  path: string;
}

export interface UpdateResult {
  object: KObject;
  /** False when the update changed nothing and appended nothing. */
  changed: boolean;
}

/** Applies `prepared` (the desired object) onto `current`, the stored object it replaces. */
export function updateInTx(tx: WriteTx, ctx: VerbContext, kind: KindDef, current: KObject, prepared: Prepared, options: UpdateOptions): UpdateResult {
  const desired = prepared.object;
  const meta = desired.metadata;
  if (meta.uid !== undefined && meta.uid !== current.metadata.uid)
    throw badInput(`${options.path}.metadata.uid`, `Invalid value: ${JSON.stringify(meta.uid)}: field is immutable`);
  if (kind.namespaced && meta.namespace !== current.metadata.namespace)
    throw badInput(`${options.path}.metadata.namespace`, 'Invalid value: field is immutable');

  const next: KObject = {
    apiVersion: current.apiVersion,
    kind: current.kind,
    metadata: { ...current.metadata },
    ...bodyOf(desired),
  };
  for (const field of ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const) {
    const value = meta[field];
    if (value === undefined || (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && value !== null && Object.keys(value).length === 0))
      delete next.metadata[field];
    else next.metadata[field] = value as never;
  }
  if (current.status !== undefined) next.status = current.status;

  if (current.metadata.deletionTimestamp) {
    const before = new Set(current.metadata.finalizers ?? []);
    const added = (next.metadata.finalizers ?? []).find((f) => !before.has(f));
    if (added)
      throw new KubeqlError('FORBIDDEN', `no new finalizers can be added if the object is being deleted, found new finalizer ${JSON.stringify(added)}`, {
        field: `${options.path}.metadata.finalizers`,
      });
  }

  kind.keepAllocated?.(next, current);
  throwIfInvalid(kind.validateUpdate?.(next, current) ?? [], options.path);
  if (!isDeepStrictEqual(bodyOf(next), bodyOf(current))) next.metadata.generation = current.metadata.generation + 1;

  if (isDeepStrictEqual(next, current)) return { object: current, changed: false };
  ctx.admission(tx, kind, next, current, options.path);
  const removing = Boolean(current.metadata.deletionTimestamp) && canRemove(kind, next);
  tx.append({ actor: ctx.actor, verb: options.verb, type: removing ? 'DELETED' : 'MODIFIED', object: next, requestId: options.requestId ?? undefined });
  return { object: next, changed: true };
}
