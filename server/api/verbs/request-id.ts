/** Idempotent retries: a request id seen before returns the first result and appends nothing. */
import { KubeqlError } from '../../errors.js';
import type { KObject } from '../../resources/kind.js';
import type { WriteTx } from '../../store/types.js';

export function earlierResult(tx: WriteTx, requestId: string | undefined | null, kind: string): KObject | undefined {
  if (!requestId) return undefined;
  const earlier = tx.eventsForRequest(requestId);
  if (earlier.length === 0) return undefined;
  const first = earlier[0];
  if (first.kind !== kind)
    throw new KubeqlError('BAD_USER_INPUT', `requestId ${JSON.stringify(requestId)} was already used by a request on a ${first.kind}`, { field: 'requestId' });
  return first.object;
}
