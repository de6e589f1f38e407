/**
 * What one log event means to one watch, as Kubernetes' watch cache decides it: an object that
 * starts matching arrives as ADDED, one that stops matching as DELETED carrying its previous
 * state with the event's revision, one that matches before and after as the event's own type.
 */
import type { KObject } from '../../resources/kind.js';
import { isKind } from '../../resources/objects.js';
import type { StoredEvent } from '../../store/types.js';
import type { WatchFilter } from './watch-filter.js';
import { cloneJson } from '../../resources/clone-json.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchPayload {
  type: WatchEventType;
  revision: number;
  object: KObject | null;
  /** About how large the object is (its JSON length), for buffers bounded in bytes. */
  bytes?: number;
}

/** An event of the log with lazy access to the object's previous version. */
export interface LogEvent {
  event: StoredEvent;
  previous(): KObject | undefined;
}

export function transition(filter: WatchFilter, e: LogEvent): WatchPayload | undefined {
  const { event } = e;
  if (event.kind !== filter.kind.kind) return undefined;
  const revision = event.revision;
  const bytes = event.bytes;
  if (event.type === 'ADDED') return filter.matches(event.object) ? { type: 'ADDED', revision, object: event.object, bytes } : undefined;
  // A pod's spec.nodeName is set once, by bind, and never changed (pod updates may not change the
  // spec): a pod not on the watch's node now never was, so the event means nothing to the watch and
  // its previous version need not be read (a kubelet's watch catching up skips every other node's pods).
  if (filter.nodeName !== undefined && isKind(event.object, 'Pod') && event.object.spec.nodeName !== filter.nodeName) return undefined;
  const before = e.previous();
  const matchedBefore = before !== undefined && filter.matches(before);
  if (event.type === 'DELETED')
    return matchedBefore || filter.matches(event.object) ? { type: 'DELETED', revision, object: event.object, bytes } : undefined;
  const matchesNow = filter.matches(event.object);
  if (matchesNow) return { type: matchedBefore ? 'MODIFIED' : 'ADDED', revision, object: event.object, bytes };
  if (!matchedBefore) return undefined;
  const gone = cloneJson(before!);
  gone.metadata.resourceVersion = String(revision);
  return { type: 'DELETED', revision, object: gone, bytes };
}
