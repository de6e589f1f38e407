/**
 * Idempotent retries, per identity: a request id the same actor used before returns the first
 * result and appends nothing; another actor's use of the same id is another request altogether
 * (neither sees nor blocks the other's). The same actor reusing an id for a different request
 * (another verb, kind, namespace or object) is CONFLICT.
 */
import { KubeqlError } from '../../errors.js';
import type { KObject } from '../../resources/kind.js';
import type { StoredEvent, Verb, WriteTx } from '../../store/types.js';

/** What a request is about, as far as a retry must match it. */
export interface RequestTarget {
  verb: Verb;
  kind: string;
  /** '' for cluster-scoped kinds. */
  namespace: string;
  /** The object's name; absent for a create with generateName. */
  name?: string;
  /** A create's generateName (when no name is given). */
  generateName?: string;
}

function describe(e: { verb: string; kind: string; namespace: string; name?: string }): string {
  return `${e.verb} of ${e.kind} ${e.namespace ? `${e.namespace}/` : ''}${e.name ?? '(generated name)'}`;
}

export function reusedRequestId(requestId: string, first: StoredEvent, request: { verb: string; kind: string; namespace: string; name?: string }): KubeqlError {
  return new KubeqlError(
    'CONFLICT',
    `requestId ${JSON.stringify(requestId)} was already used for another request (${describe(first)}, revision ${first.revision}); this request is a ${describe(request)}: use a new requestId`,
    { field: 'requestId', revision: first.revision },
  );
}

function sameRequest(first: StoredEvent, r: RequestTarget): boolean {
  if (first.verb !== r.verb || first.kind !== r.kind || first.namespace !== r.namespace) return false;
  if (r.name) return first.name === r.name;
  return first.object.metadata.generateName === r.generateName;
}

/** The first result of an earlier request of `actor` with this id, or undefined when the id is new to `actor`. */
export function earlierResult(tx: WriteTx, actor: string, requestId: string | undefined | null, request: RequestTarget): KObject | undefined {
  if (!requestId) return undefined;
  const earlier = tx.eventsForRequest(actor, requestId);
  if (earlier.length === 0) return undefined;
  const first = earlier[0];
  if (!sameRequest(first, request)) throw reusedRequestId(requestId, first, request);
  return first.object;
}
