/**
 * The bounded in-memory window of recent log events the watch engine serves live watchers from:
 * at most `capacity` events and `maxBytes` of their objects (JSON length), whichever is less.
 */
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
  /** Mean object size of the events held (0 when empty). */
  averageBytes(): number;
  /** Forgets every event and moves the head to `head`: the store jumped there without them (onCommit with no events). */
  skipTo(head: number): void;
}

const sizeOf = (event: StoredEvent) => event.bytes ?? 1024;

export function createEventWindow(store: EventLog & Pick<Projections, 'getVersion'>, capacity: number, maxBytes = Infinity): EventWindow {
  const ring: LogEvent[] = [];
  let bytes = 0;
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
      bytes += sizeOf(event);
      // The newest event stays even when it alone is over the byte bound.
      while (ring.length - start > capacity || (bytes > maxBytes && ring.length - start > 1)) {
        bytes -= sizeOf(ring[start].event);
        byRevision.delete(ring[start].event.revision);
        ring[start++] = undefined as unknown as LogEvent; // evicted: no longer held
      }
      if (start > 1024 && start * 2 > ring.length) {
        ring.splice(0, start);
        start = 0;
      }
      return e;
    },
    wrap,
    skipTo(to) {
      ring.length = 0;
      start = 0;
      bytes = 0;
      byRevision.clear();
      head = to;
    },
    averageBytes: () => (ring.length > start ? bytes / (ring.length - start) : 0),
  };
}
