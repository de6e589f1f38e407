/**
 * delete: an object with finalizers, a Namespace, or a Pod on a node gets deletionTimestamp and
 * stays (MODIFIED) until they let go; anything else goes at once. Removal is one DELETED event
 * carrying the last state. Propagation Foreground and Orphan add the finalizers the garbage
 * collector acts on, as Kubernetes does.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KObject, KindDef } from '../../resources/kind.js';
import type { WriteTx } from '../../store/types.js';
import { canRemove } from './remove-if-done.js';
import { timestamp, type VerbContext } from './verb-context.js';
import { cloneJson } from '../../resources/clone-json.js';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy | null;
  gracePeriodSeconds?: number | null;
  requestId?: string | null;
}

const POLICY_FINALIZER: Partial<Record<PropagationPolicy, string>> = { Foreground: 'foregroundDeletion', Orphan: 'orphan' };

export function deleteInTx(tx: WriteTx, ctx: VerbContext, kind: KindDef, current: KObject, options: DeleteOptions): KObject {
  const next = cloneJson(current);
  const meta = next.metadata;
  const grace = options.gracePeriodSeconds ?? undefined;
  if (!meta.deletionTimestamp) {
    meta.deletionTimestamp = timestamp(tx.ts);
    const finalizer = options.propagationPolicy ? POLICY_FINALIZER[options.propagationPolicy] : undefined;
    if (finalizer && !(meta.finalizers ?? []).includes(finalizer)) meta.finalizers = [...(meta.finalizers ?? []), finalizer];
    kind.beginDeletion?.(next, { gracePeriodSeconds: grace });
  } else if (grace !== undefined && grace < (meta.deletionGracePeriodSeconds ?? Infinity)) {
    // A second delete may only shorten the grace period (the node agent's final delete uses 0).
    meta.deletionGracePeriodSeconds = grace;
  }

  const append = (type: 'MODIFIED' | 'DELETED', object: KObject) =>
    tx.append({ actor: ctx.actor, verb: 'delete', type, object, requestId: options.requestId ?? undefined });
  if (canRemove(kind, next)) {
    // Removed at once: the last state is the stored one; after a graceful wait, the deleting one.
    const last = current.metadata.deletionTimestamp ? next : current;
    append('DELETED', last);
    return last;
  }
  if (isDeepStrictEqual(next, current)) return current;
  append('MODIFIED', next);
  return next;
}
