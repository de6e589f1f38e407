/**
 * The frame of every write to an existing object: one store write in which a retried request id
 * answers its first result, the caller must be allowed (FORBIDDEN), the object must exist
 * (NOT_FOUND), and a given resourceVersion must be current (CONFLICT); then `change` does the
 * verb's own part. Authorization comes before the lookup, so a caller that may not write learns
 * nothing of what exists; only a node, whose rights depend on the pod's spec.nodeName, is decided
 * on the stored object.
 */
import type { KObject, KindDef } from '../../resources/kind.js';
import type { Store, Verb, WriteTx } from '../../store/types.js';
import type { Attributes } from '../auth/attributes.js';
import type { Guard } from '../auth/guard.js';
import { checkPrecondition, mustGet } from './lookup.js';
import { earlierResult } from './request-id.js';

export interface WriteTarget {
  namespace?: string;
  name: string;
  resourceVersion?: string | null;
  requestId?: string | null;
}

export function writeExisting(
  ctx: { store: Store; guard: Guard },
  kind: KindDef,
  target: WriteTarget,
  verb: Verb,
  allowedIf: Attributes[],
  change: (tx: WriteTx, current: KObject) => KObject,
): Promise<KObject> {
  const allowed = allowedIf.some(ctx.guard.allows);
  if (!allowed && !ctx.guard.decidesOnObject) ctx.guard.check(...allowedIf);
  return ctx.store.write((tx) => {
    const namespace = kind.namespaced ? (target.namespace ?? 'default') : '';
    const earlier = earlierResult(tx, ctx.guard.identity.name, target.requestId, { verb, kind: kind.kind, namespace, name: target.name });
    if (earlier) return earlier;
    const current = mustGet(tx, kind, target.namespace, target.name);
    if (!allowed) ctx.guard.check(...allowedIf.map((a) => ({ ...a, object: current })));
    checkPrecondition(current, target.resourceVersion);
    return change(tx, current);
  });
}
