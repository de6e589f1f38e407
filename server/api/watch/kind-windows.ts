/**
 * Recent events per kind, beside the event window of all kinds (event-window.ts). At a large
 * cluster's rate the shared window holds only seconds of the log (5,000 nodes renew 500 Leases a
 * second), so thousands of kubelet-style Pod watches that fell a little behind each read the Pod
 * range of the log on their own, parsing the same events once per watcher. A kind's own window
 * holds its last events however busy other kinds are, and serves those catch-ups from memory.
 * Each kind keeps at most `capacity` events and `maxBytes` of their objects, and all kinds together
 * at most `maxTotalBytes`: past it the kind holding the most bytes gives up its oldest event, so a
 * burst of one kind shrinks its own window first and twenty busy kinds cannot each hold `maxBytes`.
 * The events are the shared window's own (one object per event, held by both while both keep it).
 */
import type { LogEvent } from './transition.js';

export interface KindWindows {
  /** Records an event the shared window has just taken (every published event passes here, in order). */
  push(e: LogEvent): void;
  /**
   * The events of `kind` after `revision` up to the head, when this kind's window still holds them
   * all; undefined when it does not reach back so far.
   */
  after(kind: string, revision: number): LogEvent[] | undefined;
  /** Forgets every event: the head jumped to `head` without them. */
  skipTo(head: number): void;
}

interface KindWindow {
  events: LogEvent[];
  /** Index in `events` of the oldest event held. */
  start: number;
  bytes: number;
  /** Every event of the kind after this revision is held. */
  from: number;
}

const sizeOf = (e: LogEvent) => e.event.bytes ?? 1024;

/** `head`: the revision after which every event will be pushed (the shared window's head at start). */
export function createKindWindows(head: number, capacity: number, maxBytes: number, maxTotalBytes = Infinity): KindWindows {
  const kinds = new Map<string, KindWindow>();
  let since = head;
  let total = 0;

  /** Forgets the oldest event `w` holds. */
  function evict(w: KindWindow): void {
    const evicted = w.events[w.start];
    w.bytes -= sizeOf(evicted);
    total -= sizeOf(evicted);
    w.from = evicted.event.revision;
    w.events[w.start++] = undefined as unknown as LogEvent; // no longer held
    if (w.start > 1024 && w.start * 2 > w.events.length) {
      w.events.splice(0, w.start);
      w.start = 0;
    }
  }

  /** The kind holding the most bytes in more than one event (each kind's newest event stays). */
  function largest(): KindWindow | undefined {
    let found: KindWindow | undefined;
    for (const w of kinds.values()) if (w.events.length - w.start > 1 && (!found || w.bytes > found.bytes)) found = w;
    return found;
  }

  /** The index of the first event after `revision` (events are in revision order). */
  function firstAfter(w: KindWindow, revision: number): number {
    let lo = w.start;
    let hi = w.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (w.events[mid].event.revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  return {
    push(e) {
      let w = kinds.get(e.event.kind);
      if (!w) kinds.set(e.event.kind, (w = { events: [], start: 0, bytes: 0, from: since }));
      w.events.push(e);
      w.bytes += sizeOf(e);
      total += sizeOf(e);
      // The newest event stays even when it alone is over the byte bound.
      while (w.events.length - w.start > capacity || (w.bytes > maxBytes && w.events.length - w.start > 1)) evict(w);
      while (total > maxTotalBytes) {
        const from = largest();
        if (!from) break;
        evict(from);
      }
    },
    after(kind, revision) {
      const w = kinds.get(kind);
      if (!w) return revision >= since ? [] : undefined;
      if (revision < w.from) return undefined;
      return w.events.slice(firstAfter(w, revision));
    },
    skipTo(to) {
      kinds.clear();
      total = 0;
      since = to;
    },
  };
}
