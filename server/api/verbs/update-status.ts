/** updateStatus: the status subresource replaces `status` and nothing else. */
import { isDeepStrictEqual } from 'node:util';
import type { KObject } from '../../resources/kind.js';
import type { WriteTx } from '../../store/types.js';
import type { VerbContext } from './verb-context.js';

export function updateStatusInTx(tx: WriteTx, ctx: VerbContext, current: KObject, status: Record<string, unknown>, requestId?: string | null): KObject {
  const next: KObject = { ...current, status };
  if (isDeepStrictEqual(next.status, current.status)) return current;
  tx.append({ actor: ctx.actor, verb: 'updateStatus', type: 'MODIFIED', object: next, requestId: requestId ?? undefined });
  return next;
}
