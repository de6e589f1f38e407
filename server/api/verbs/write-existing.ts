/**
 * The frame of every write to an existing object: one store write in which a retried request id
 * answers its first result, the object must exist (NOT_FOUND), and a given resourceVersion must
 * be current (CONFLICT); then `change` does the verb's own part.
 */
import type { KObject, KindDef } from '../../resources/kind.js';
import type { Store, WriteTx } from '../../store/types.js';
import { checkPrecondition, mustGet } from './lookup.js';
import { earlierResult } from './request-id.js';

export interface WriteTarget {
  namespace?: string;
  name: string;
  resourceVersion?: string | null;
  requestId?: string | null;
}

export function writeExisting(store: Store, kind: KindDef, target: WriteTarget, change: (tx: WriteTx, current: KObject) => KObject): Promise<KObject> {
  return store.write((tx) => {
    const earlier = earlierResult(tx, target.requestId, kind.kind);
    if (earlier) return earlier;
    const current = mustGet(tx, kind, target.namespace, target.name);
    checkPrecondition(current, target.resourceVersion);
    return change(tx, current);
  });
}
