/** The bounded in-memory window of recent log events the watch engine serves live watchers from. */
import type { KObject } from '../../resources/kind.js';
import type { EventLog, Projections, StoredEvent } from '../../store/types.js';
import type { LogEvent } from './transition.js';

export interface EventWindow {
  /** Revision of the newest event seen (the engine's head). */
  readonly head: number;
  /** Events after `revision`, when the window still holds them all; undefined when it does not reach back so far. */
  after(revision: number): LogEvent[] | undefined;
  push(event: StoredEvent): LogEvent;
  /** Wraps an event read from the log (outside the window). */
  wrap(event: StoredEvent): LogEvent;
}

export function createEventWindow(store: EventLog & Pick<Projections, 'getVersion'>, capacity: number): EventWindow {
  const ring: LogEvent[] = [];
  let start = 0; // index in `ring` of the oldest event
  let head = store.head();
  const byRevision = new Map<number, LogEvent>();

  const wrap = (event: StoredEvent): LogEvent => {
    let previous: KObject | undefined | null = null;
    return {
      event,
      previous() {
        if (previous !== null) return previous;
        if (event.prevRevision === null) previous = undefined;
        else previous = byRevision.get(event.prevRevision)?.event.object ?? store.getVersion(event.kind, event.namespace, event.name, event.prevRevision);
        return previous;
      },
    };
  };

  return {
    get head() {
      return head;
    },
    after(revision) {
      const size = ring.length - start;
      const oldest = size > 0 ? ring[start].event.revision : head + 1;
      if (revision < oldest - 1) return undefined;
      const skip = Math.max(0, revision - oldest + 1);
      return ring.slice(start + skip);
    },
    push(event) {
      const e = wrap(event);
      ring.push(e);
      byRevision.set(event.revision, e);
      head = event.revision;
      if (ring.length - start > capacity) {
        byRevision.delete(ring[start].event.revision);
        start++;
        if (start > capacity) {
          ring.splice(0, start);
          start = 0;
        }
      }
      return e;
    },
    wrap,
  };
}
