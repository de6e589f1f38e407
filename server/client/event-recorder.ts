/**
 * Records Events as client-go's EventRecorder does, simplified: an event about an object is keyed
 * by (involvedObject, type, reason, message, source); the first occurrence creates an Event named
 * `<object>.<hex time>`, each repeat patches its count and lastTimestamp (the EventCorrelator's
 * aggregation of identical events). Recording never blocks the caller: writes go out in the
 * background, batched, one at a time per Event, and repeats that arrive while a write is in
 * flight fold into the next one. Similar events (same object, type, reason and source, other
 * messages) are combined as the EventCorrelator's EventAggregator combines them: from the 10th
 * different message within 10 minutes on, they go to one Event, `(combined from similar events): `
 * and the first such message, that counts them (a ReplicaSet scaled to 10,000 writes a few
 * SuccessfulCreate Events, not 10,000). Bounded: at most `maxPending` Events waiting (more are
 * dropped and counted, as the broadcaster's full queue drops), and LRUs of `cacheSize` keys (an
 * Event that fell out of one, or expired on the server, starts again at count 1). A write that could
 * not reach the server or was shed (UNAVAILABLE, RATE_LIMITED) is tried again after a pause, up to
 * 6 times; a create answered ALREADY_EXISTS (an earlier try landed, its answer lost) counts onto it.
 */
import { LRUCache } from 'lru-cache';
import { createLogger } from '../logging/logger.js';
import type { KObject } from '../resources/kind.js';
import type { KubeqlClient } from './client.js';
import { ClientError } from './client-error.js';
import { createDocumentBatcher, type DocumentBatcher } from './mutation-batcher.js';

export type EventType = 'Normal' | 'Warning';

export interface EventSource {
  component: string;
  host?: string;
}

export interface ObjectReference {
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface EventRecorderOptions {
  /** Events with a write waiting or in flight, beyond which new ones are dropped (default 1,000). */
  maxPending?: number;
  /** Keys remembered for aggregation (default 4,096, client-go's); ignored with `caches`. */
  cacheSize?: number;
  /**
   * Aggregation state shared with other recorders (createEventRecorderCaches): a process that
   * plays many kubelets (the agents) remembers recent events in one bounded LRU for all of them,
   * not 4,096 keys per node. Keys name the source, so recorders never mix their Events.
   */
  caches?: EventRecorderCaches;
  /**
   * Documents to write the Events in, shared with the caller's other writes on the same client (a
   * simulated kubelet's pod status goes out in one request with the Events about that pod).
   * Without it the recorder batches its own, waiting up to 5 ms for others to share a document.
   */
  documents?: DocumentBatcher;
}

/**
 * The LRUs a recorder aggregates with: one per recorder, or one shared by several. lru-cache's,
 * whose every operation is constant time: a Map used as an LRU (delete the first key when full)
 * leaves a hole at the front per eviction, which every later `keys().next()` walks past until
 * the table is rebuilt, about 5 µs an eviction at the agents' 16,384 keys.
 */
export interface EventRecorderCaches {
  readonly size: number;
  readonly entries: LRUCache<string, object>;
  /** Similar events (all but the message) → the keys of the different messages seen lately. */
  readonly similar: LRUCache<string, { keys: string[]; at: number }>;
}

/** LRUs of `size` keys each, for one recorder or to share among several (EventRecorderOptions.caches). */
export function createEventRecorderCaches(size = 4096): EventRecorderCaches {
  return { size, entries: new LRUCache({ max: size }), similar: new LRUCache({ max: size }) };
}

export interface EventRecorder {
  /** Records one occurrence; returns at once. */
  event(object: KObject | ObjectReference, type: EventType, reason: string, message: string): void;
  /** Resolves when every write recorded so far has been sent (or has failed). */
  flush(): Promise<void>;
  readonly stats: { created: number; patched: number; dropped: number; failed: number };
}

/** A reference to `o` as an Event's involvedObject names it. */
export function referenceTo(o: KObject, fieldPath?: string): ObjectReference {
  return {
    kind: o.kind,
    ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
    name: o.metadata.name,
    uid: o.metadata.uid,
    apiVersion: o.apiVersion,
    resourceVersion: o.metadata.resourceVersion,
    ...(fieldPath ? { fieldPath } : {}),
  };
}

const MESSAGE_LIMIT = 1024;
/** client-go's defaultAggregateMaxEvents and defaultAggregateIntervalInSeconds. */
const AGGREGATE_MAX_EVENTS = 10;
const AGGREGATE_INTERVAL_MS = 600_000;
const COMBINED = '(combined from similar events): ';
/** Failures worth another try (client-go tries an event 12 times, 10 s apart); others are the request's fault. */
const TRANSIENT = new Set(['UNAVAILABLE', 'RATE_LIMITED']);
const MAX_TRIES = 6;
const RETRY_MS = { first: 500, max: 8000 };
const timestamp = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** At most `limit` UTF-8 bytes, cut at a character boundary. */
function truncate(message: string, limit = MESSAGE_LIMIT): string {
  if (Buffer.byteLength(message) <= limit) return message;
  let out = message.slice(0, limit);
  while (Buffer.byteLength(out) > limit - 3) out = out.slice(0, -1);
  return `${out}...`;
}

interface Entry {
  namespace: string;
  name: string;
  count: number;
  lastTimestamp: string;
  /** The Event exists on the server (its create succeeded). */
  created: boolean;
  /** A write is on its way; `dirty` asks for another after it. */
  busy: boolean;
  dirty: boolean;
  body: Record<string, unknown>;
}

const log = createLogger('events');

let sequence = 0;
/** client-go's `<name>.<UnixNano in hex>`, unique within this process. */
function eventName(objectName: string, ms: number): string {
  const nanos = BigInt(ms) * 1_000_000n + BigInt(sequence++ % 1_000_000);
  return `${objectName}.${nanos.toString(16)}`;
}

export function createEventRecorder(client: KubeqlClient, source: EventSource, options: EventRecorderOptions = {}): EventRecorder {
  const maxPending = options.maxPending ?? 1000;
  const caches = options.caches ?? createEventRecorderCaches(options.cacheSize ?? 4096);
  const cache = caches.entries as LRUCache<string, Entry>;
  const similar = caches.similar;
  // One object for every Event this recorder writes.
  const eventSource = { component: source.component, ...(source.host ? { host: source.host } : {}) };
  const documents = options.documents ?? createDocumentBatcher(client, { lingerMs: 5 });
  const creates = documents.mutation('createEvent', { input: 'EventInput!' }, 'metadata { name }');
  const patches = documents.mutation('patchEvent', { namespace: 'String!', name: 'String!', patch: 'JSON!' }, 'metadata { name }');
  const stats = { created: 0, patched: 0, dropped: 0, failed: 0 };
  let pending = 0;
  const idle: Array<() => void> = [];

  function settle(): void {
    if (pending === 0) for (const resolve of idle.splice(0)) resolve();
  }

  async function send(entry: Entry): Promise<void> {
    let failures = 0;
    do {
      entry.dirty = false;
      try {
        if (entry.created) {
          await patches.call({ namespace: entry.namespace, name: entry.name, patch: { count: entry.count, lastTimestamp: entry.lastTimestamp } });
          stats.patched++;
        } else {
          await creates.call({ input: { ...entry.body, count: entry.count, lastTimestamp: entry.lastTimestamp } });
          entry.created = true;
          stats.created++;
        }
      } catch (error) {
        const code = error instanceof ClientError ? error.code : undefined;
        if (!entry.created && code === 'ALREADY_EXISTS') {
          // An earlier create whose answer was lost did land: the Event is there, count onto it.
          entry.created = true;
          entry.dirty = true;
        } else if (TRANSIENT.has(code ?? '') && ++failures < MAX_TRIES) {
          // As client-go's recordToSink: the server could not be reached or shed load; try again after a pause.
          await new Promise((r) => setTimeout(r, Math.min(RETRY_MS.max, RETRY_MS.first * 2 ** (failures - 1))));
          entry.dirty = true;
        } else if (entry.created && code === 'NOT_FOUND') {
          // Expired or deleted on the server: the next occurrence starts a new Event.
          entry.created = false;
          entry.name = eventName(String((entry.body.involvedObject as ObjectReference).name), Date.now());
          (entry.body.metadata as Record<string, unknown>).name = entry.name;
          entry.count = 1;
          entry.body.firstTimestamp = entry.lastTimestamp;
          entry.dirty = true;
        } else {
          stats.failed++;
          // As client-go's recordToSink: said, not retried (a rejected Event would otherwise vanish unseen).
          log.warn({ event: `${entry.namespace}/${entry.name}`, reason: entry.body.reason, code, err: error instanceof Error ? error.message : String(error) }, 'server rejected an event write (will not retry)');
        }
      }
    } while (entry.dirty);
    entry.busy = false;
    pending--;
    settle();
  }

  return {
    stats,
    event(object, type, reason, message) {
      const ref: ObjectReference = 'metadata' in object ? referenceTo(object) : object;
      let text = truncate(message);
      let key = JSON.stringify([ref.kind, ref.namespace ?? '', ref.name, ref.uid ?? '', ref.fieldPath ?? '', type, reason, text, source.component, source.host ?? '']);
      // EventAggregate: once enough different messages were seen, this one joins the combined Event.
      const aggregateKey = JSON.stringify([source.component, source.host ?? '', ref.kind, ref.namespace ?? '', ref.name, ref.uid ?? '', ref.apiVersion ?? '', type, reason]);
      const ms = Date.now();
      // get makes the key the most recently used; set past the size drops the least recently used.
      let record = similar.get(aggregateKey);
      if (!record || ms - record.at > AGGREGATE_INTERVAL_MS) similar.set(aggregateKey, (record = { keys: [], at: ms }));
      record.at = ms;
      // A short list rather than a Set: at most AGGREGATE_MAX_EVENTS keys, and a Set costs far more memory.
      if (!record.keys.includes(key)) record.keys.push(key);
      if (record.keys.length >= AGGREGATE_MAX_EVENTS) {
        record.keys.shift();
        key = JSON.stringify(['combined', aggregateKey]);
        text = truncate(COMBINED + message);
      }
      const now = timestamp(ms);
      let entry = cache.get(key);
      if (entry) {
        entry.count++;
        entry.lastTimestamp = now;
        if (entry.busy) {
          entry.dirty = true;
          return;
        }
      } else {
        const namespace = ref.namespace || 'default';
        const name = eventName(ref.name, Date.now());
        entry = {
          namespace,
          name,
          count: 1,
          lastTimestamp: now,
          created: false,
          busy: false,
          dirty: false,
          body: {
            metadata: { name, namespace },
            involvedObject: ref,
            reason,
            message: text,
            source: eventSource,
            firstTimestamp: now,
            type,
            reportingComponent: source.component,
            reportingInstance: source.host ?? '',
          },
        };
        cache.set(key, entry);
      }
      if (pending >= maxPending) {
        stats.dropped++;
        return;
      }
      pending++;
      entry.busy = true;
      void send(entry);
    },
    flush() {
      return pending === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
