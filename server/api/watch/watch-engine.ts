/**
 * The watch engine (DESIGN §7): one dispatcher takes each commit's events once (handed over by the
 * store, no polling), keeps them in a bounded window, routes each event by a trigger index (kind,
 * namespace, spec.nodeName) to the filter groups that can want it, decides once per group what the
 * event means to it, and hands that one payload to every live watcher of the group. A watcher
 * whose consumer is full drops out of the live set and later catches up by cursor, from the window
 * or from the log; one that falls too far behind is ended with SLOW_CONSUMER.
 */
import { isKind, type KObject } from '../../resources/objects.js';
import { KubeqlError, expired } from '../../errors.js';
import type { EventLog, ObjectKey, Projections, StoredEvent } from '../../store/types.js';
import { createEventWindow } from './event-window.js';
import { createKindWindows } from './kind-windows.js';
import { transition, type LogEvent, type WatchPayload } from './transition.js';
import { watchFilter, type WatchArgs, type WatchFilter } from './watch-filter.js';
import { WatchStream } from './watch-stream.js';

/** What an expired watcher does. */
const WATCH_AGAIN = "list again and watch from the list's revision";

export interface WatchSink {
  /** Takes one payload; false when the consumer is full (the engine stops until `resume`). */
  push(payload: WatchPayload): boolean;
  /** The watch ended with an error (EXPIRED, SLOW_CONSUMER); nothing follows. */
  end(error: KubeqlError): void;
}

export interface WatchEngineOptions {
  /** A quiet watcher gets a BOOKMARK at most this often when the head moved (default 5 s). */
  bookmarkIntervalMs?: number;
  /** A watcher this many events further behind than it started is ended with SLOW_CONSUMER (default 10,000). */
  maxBacklog?: number;
  /** Events kept in memory for live and nearly-live watchers (default 10,000). */
  windowSize?: number;
  /** ...and at most this many bytes of their objects (default 64 MiB). */
  windowBytes?: number;
  /** Events of each kind kept in memory however busy other kinds are (default: windowSize), at most half of windowBytes each and windowBytes in all. */
  kindWindowSize?: number;
  /** A kubelet-style watch catching up from the log reads it this many revisions at a time, its node's pods filtered in the database (default 20,000). */
  nodeScanRevisions?: number;
  /** Metrics: how many events behind a lagging watcher is each time it resumes catching up, or is ended for it. */
  onBacklog?: (events: number) => void;
  /** Metrics: a watcher was ended with SLOW_CONSUMER. */
  onSlowConsumer?: () => void;
}

export interface WatchHandle {
  resume(): void;
  stop(): void;
}

interface Group {
  filter: WatchFilter;
  watchers: Set<Watcher>;
}

interface Watcher {
  group: Group;
  sink: WatchSink;
  live: boolean;
  /** Last revision processed, while not live (a live watcher is at the window's head). */
  cursor: number;
  lastSentRevision: number;
  lastSentAt: number;
  /** How far behind it started (a resuming client is not slow for being behind). */
  allowance: number;
  stopped: boolean;
  pumping: boolean;
  /**
   * The initial state still to send (a watch without fromRevision), at the pace the consumer takes
   * it: the keys of the objects (in revision order) and the revision they are read at. Only keys
   * are held while the consumer is full; objects are read a batch at a time.
   */
  snapshot?: { keys: ObjectKey[]; next: number; revision: number };
}

interface KindIndex {
  all: Set<Group>;
  byNamespace: Map<string, Set<Group>>;
  byNode: Map<string, Set<Group>>;
}

const LOG_PAGE = 1000;
/** A catch-up from the log reads pages of about this many bytes of objects (fewer events when they are large). */
const LOG_PAGE_BYTES = 8 << 20;
/** Objects of an initial state read at a time. */
const SNAPSHOT_BATCH = 16;

export type WatchEngine = ReturnType<typeof createWatchEngine>;

export function createWatchEngine(store: EventLog & Projections, options: WatchEngineOptions = {}) {
  const bookmarkIntervalMs = options.bookmarkIntervalMs ?? 5000;
  const maxBacklog = options.maxBacklog ?? 10_000;
  const windowBytes = options.windowBytes ?? 64 << 20;
  const window = createEventWindow(store, options.windowSize ?? 10_000, windowBytes);
  const nodeScanRevisions = Math.max(1, options.nodeScanRevisions ?? 20_000);
  const kindWindows = createKindWindows(window.head, options.kindWindowSize ?? options.windowSize ?? 10_000, windowBytes / 2, windowBytes);
  const groups = new Map<string, Group>();
  const index = new Map<string, KindIndex>();
  const watchers = new Set<Watcher>();

  function bucket(filter: WatchFilter): Set<Group> {
    let k = index.get(filter.kind.kind);
    if (!k) index.set(filter.kind.kind, (k = { all: new Set(), byNamespace: new Map(), byNode: new Map() }));
    const [map, key] = filter.nodeName !== undefined ? [k.byNode, filter.nodeName] : filter.namespace !== undefined ? [k.byNamespace, filter.namespace] : [undefined, ''];
    if (!map) return k.all;
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    return set;
  }

  /** The node a pod is bound to (the trigger index's third key); other kinds have none. */
  const nodeNameOf = (o: KObject | undefined) => (o && isKind(o, 'Pod') ? o.spec.nodeName : undefined);

  function candidates(e: LogEvent): Group[] {
    const k = index.get(e.event.kind);
    if (!k) return [];
    const found: Group[] = [...k.all];
    const ns = k.byNamespace.get(e.event.namespace);
    if (ns) found.push(...ns);
    if (k.byNode.size > 0) {
      const nodes = new Set<string>();
      const now = nodeNameOf(e.event.object);
      if (now) nodes.add(now);
      if (e.event.type !== 'ADDED') {
        const before = nodeNameOf(e.previous());
        if (before) nodes.add(before);
      }
      for (const node of nodes) found.push(...(k.byNode.get(node) ?? []));
    }
    return found;
  }

  function send(w: Watcher, payload: WatchPayload, now = Date.now()): boolean {
    w.lastSentRevision = payload.revision;
    w.lastSentAt = now;
    return w.sink.push(payload);
  }

  function fallBehind(w: Watcher, cursor: number): void {
    w.live = false;
    w.cursor = cursor;
  }

  function end(w: Watcher, error: KubeqlError): void {
    if (w.stopped) return;
    detach(w);
    if (error.code === 'SLOW_CONSUMER') {
      options.onBacklog?.(window.head - w.cursor);
      options.onSlowConsumer?.();
    }
    w.sink.end(error);
  }

  function detach(w: Watcher): void {
    w.stopped = true;
    watchers.delete(w);
    w.group.watchers.delete(w);
    if (w.group.watchers.size === 0) {
      groups.delete(w.group.filter.key);
      bucket(w.group.filter).delete(w.group);
    }
  }

  /**
   * Catches a watcher up by cursor: from the window when it reaches back far enough, else from its
   * kind's window, else from the log.
   */
  function pump(w: Watcher): void {
    if (w.pumping || w.live || w.stopped) return;
    w.pumping = true;
    options.onBacklog?.(window.head - w.cursor);
    try {
      for (;;) {
        if (window.head - w.cursor > maxBacklog + w.allowance) return end(w, slowConsumer(w));
        let events = window.after(w.cursor);
        let fromLog = false;
        /** Set when the events read are all of the watch's kind between the cursor and this head. */
        let nothingMoreUpTo: number | undefined;
        const kind = w.group.filter.kind.kind;
        if (events === undefined) {
          events = kindWindows.after(kind, w.cursor);
          if (events !== undefined) nothingMoreUpTo = window.head;
        }
        if (events === undefined) {
          fromLog = true;
          // Only the watch's kind is read, above only its floor: a Pod watch a minute behind does not
          // read (or expire on) the Lease renewals of every node in between.
          const floor = store.kindFloor(kind);
          if (w.cursor < floor) return end(w, expired(w.cursor, floor, WATCH_AGAIN));
          // Sized by the window's mean event: a log of large objects is read a few at a time.
          const page = Math.max(1, Math.min(LOG_PAGE, Math.floor(LOG_PAGE_BYTES / Math.max(1, window.averageBytes() || 1024))));
          // The window holds every event published so far: its head is where the log read stops too.
          const head = window.head;
          const node = kind === 'Pod' ? w.group.filter.nodeName : undefined;
          if (node !== undefined) {
            // A kubelet's watch wants one node's pods: the database picks them out of a bounded span
            // of the log, instead of every pod's event being decoded for it (thousands of node
            // watches catching up at once each read the whole Pod range).
            const upTo = Math.min(head, w.cursor + nodeScanRevisions);
            events = store.readNodePodEvents(w.cursor, upTo, page, node).map(window.wrap);
            if (events.length < page) nothingMoreUpTo = upTo;
          } else {
            events = store.readEvents(w.cursor, page, kind).map(window.wrap);
            if (events.length < page) nothingMoreUpTo = head;
          }
        }
        // Nothing (more) for it up to the head: live. A node watch's empty span short of the head reads on.
        if (events!.length === 0 && (nothingMoreUpTo === undefined || nothingMoreUpTo >= window.head)) {
          w.live = true;
          return;
        }
        for (const e of events!) {
          w.cursor = e.event.revision;
          const payload = transition(w.group.filter, e);
          if (payload && !send(w, payload)) return; // resumes when the consumer drains
        }
        if (nothingMoreUpTo !== undefined) w.cursor = Math.max(w.cursor, nothingMoreUpTo);
        if (fromLog) {
          // A long catch-up from the log yields to the rest of the server between pages.
          setImmediate(() => pump(w));
          return;
        }
      }
    } finally {
      w.pumping = false;
    }
  }

  /**
   * Sends the initial state while the consumer takes it (stopping when it is full, resumed when it
   * drains), then the BOOKMARK at its revision; then catches up from there like any watcher. A
   * consumer that stalls meanwhile is ended by the backlog check, as one that stalls later.
   */
  function sendSnapshot(w: Watcher): void {
    if (w.pumping || w.stopped || !w.snapshot) return;
    const snapshot = w.snapshot;
    w.pumping = true;
    try {
      while (snapshot.next < snapshot.keys.length) {
        let batch;
        try {
          batch = store.getMany(w.group.filter.kind.kind, snapshot.keys.slice(snapshot.next, snapshot.next + SNAPSHOT_BATCH), snapshot.revision);
        } catch (error) {
          // Compacted past the snapshot's revision while the consumer was not reading.
          return end(w, error instanceof KubeqlError ? error : expired(snapshot.revision, store.floor()));
        }
        for (const object of batch) {
          snapshot.next++;
          if (object && !send(w, { type: 'ADDED', revision: Number(object.metadata.resourceVersion), object })) return;
        }
      }
      w.snapshot = undefined;
      if (!send(w, bookmark(snapshot.revision))) return;
    } finally {
      w.pumping = false;
    }
    // Nothing committed meanwhile: live at once; else it catches up (a backlog, as a resuming watch's).
    if (window.head === w.cursor) w.live = true;
    else pump(w);
  }

  function dispatch(events: readonly StoredEvent[]): void {
    // One clock reading per commit, not per delivery (a commit reaches thousands of watchers).
    const now = Date.now();
    for (const event of events) {
      const e = window.push(event);
      kindWindows.push(e);
      for (const group of candidates(e)) {
        const payload = transition(group.filter, e);
        if (!payload) continue;
        for (const w of group.watchers) if (w.live && !send(w, payload, now)) fallBehind(w, event.revision);
      }
    }
  }

  function tick(): void {
    const now = Date.now();
    for (const w of watchers) {
      if (w.live) {
        if (now - w.lastSentAt >= bookmarkIntervalMs && window.head > w.lastSentRevision && !send(w, bookmark(window.head))) fallBehind(w, window.head);
      } else if (window.head - w.cursor > maxBacklog + w.allowance) end(w, slowConsumer(w));
    }
  }

  /**
   * The store's head jumped without events (a replica copied afresh after a compaction): the window
   * starts again there, and every watcher catches up by cursor from the log, which ends those below
   * the new floor EXPIRED (relist) and carries on the others.
   */
  function jump(head: number): void {
    const seen = window.head;
    window.skipTo(head);
    kindWindows.skipTo(head);
    for (const w of [...watchers]) {
      if (w.snapshot) continue; // its snapshot reads at its revision: EXPIRED there if compacted
      // A live watcher has had every event up to the old head (its cursor moves only when it falls behind).
      if (w.live) fallBehind(w, seen);
      pump(w);
    }
  }

  const unsubscribe = store.onCommit((head, events) => (events.length === 0 ? head > window.head && jump(head) : dispatch(events)));
  const timer = setInterval(tick, Math.min(1000, bookmarkIntervalMs));
  timer.unref();

  function start(filter: WatchFilter, fromRevision: number | undefined, sink: WatchSink): WatchHandle {
    let group = groups.get(filter.key);
    if (!group) {
      groups.set(filter.key, (group = { filter, watchers: new Set() }));
      bucket(filter).add(group);
    }
    const head = window.head;
    const w: Watcher = {
      group,
      sink,
      live: false,
      cursor: fromRevision ?? head,
      lastSentRevision: fromRevision ?? head,
      lastSentAt: Date.now(),
      allowance: fromRevision === undefined ? 0 : head - fromRevision,
      stopped: false,
      pumping: false,
    };
    group.watchers.add(w);
    watchers.add(w);
    if (fromRevision === undefined) {
      // The state as of the head, as synthetic ADDED events in revision order, then a BOOKMARK at the head.
      const { items } = store.list({ kind: filter.kind.kind, namespace: filter.namespace, namespaces: filter.namespaces, labelSelector: filter.labels, fieldSelector: filter.fields });
      items.sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));
      const keys = items.map((o) => ({ namespace: o.metadata.namespace ?? '', name: o.metadata.name }));
      w.snapshot = { keys, next: 0, revision: head };
      sendSnapshot(w);
    } else pump(w);
    return { resume: () => (w.snapshot ? sendSnapshot(w) : pump(w)), stop: () => detach(w) };
  }

  return {
    /** Checks a watch's arguments (selectors, kind, fromRevision) and returns its stream, not yet started. */
    open(args: WatchArgs & { fromRevision?: number | null }): WatchStream {
      const filter = watchFilter(args);
      const from = args.fromRevision ?? undefined;
      if (from !== undefined) {
        if (from > window.head)
          throw new KubeqlError('BAD_USER_INPUT', `fromRevision ${from} is newer than the head of the log (${window.head})`, { field: 'fromRevision' });
        const floor = store.kindFloor(filter.kind.kind);
        if (from < floor) throw expired(from, floor, WATCH_AGAIN);
      }
      return new WatchStream((sink) => start(filter, from, sink));
    },
    /** Watchers by kind, for metrics. */
    watcherCount: () => watchers.size,
    /** Open watchers per kind (counted when asked: a scrape, not every event, pays for it). */
    watchersByKind(): Map<string, number> {
      const counts = new Map<string, number>();
      for (const w of watchers) counts.set(w.group.filter.kind.kind, (counts.get(w.group.filter.kind.kind) ?? 0) + 1);
      return counts;
    },
    close(): void {
      clearInterval(timer);
      unsubscribe();
      for (const w of [...watchers]) detach(w);
    },
  };
}

function bookmark(revision: number): WatchPayload {
  return { type: 'BOOKMARK', revision, object: null };
}

function slowConsumer(w: Watcher): KubeqlError {
  return new KubeqlError('SLOW_CONSUMER', `the watcher fell too far behind (at revision ${w.cursor}); resume from the last revision received`, {
    revision: w.cursor,
  });
}
