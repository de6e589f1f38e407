/**
 * Events expire, as kube-apiserver's --event-ttl (1 hour) makes them: the API server deletes each
 * Event whose last occurrence (lastTimestamp, else eventTime, else creation) is older than the TTL,
 * as system:apiserver, a bounded batch per transaction. What remains of them in the log goes with
 * retention (the log keeps no more than any other delete).
 *
 * A pass reads every Event (a 150,000-pod rollout leaves as many Scheduled Events), so it runs only
 * when one can have expired: at the earliest expiry the last pass saw, or earlier when a commit
 * writes an Event that expires sooner (one created with an old lastTimestamp). Its pages are read
 * a turn apart, so the server answers between them.
 */
import { createLogger } from '../logging/logger.js';
import { kindByName } from '../resources/registry.js';
import type { KObject } from '../resources/kind.js';
import type { Store } from '../store/types.js';
import { SERVER_ACTOR } from './bootstrap.js';
import { SERVER_WRITES } from './auth/escalation.js';
import { deleteInTx } from './verbs/delete.js';
import type { AllocationRanges } from './verbs/verb-context.js';

export const DEFAULT_EVENT_TTL_MS = 60 * 60 * 1000;

export interface EventExpiryOptions {
  /** How long an Event lives after its last occurrence (default 1 hour). */
  ttlMs?: number;
  /** How often expired Events are looked for (default 60 s). */
  intervalMs?: number;
  /** Deletes per transaction (default 500). */
  batch?: number;
}

/** When an Event last happened (ms since epoch). */
export function lastOccurrence(e: KObject): number {
  const t = (e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp) as string | undefined;
  const ms = t ? Date.parse(t) : NaN;
  return Number.isFinite(ms) ? ms : Date.parse(e.metadata.creationTimestamp);
}

export interface ExpiryPass {
  /** Events deleted. */
  deleted: number;
  /** When the earliest Event kept expires (ms since epoch; Infinity when none is kept). */
  nextDue: number;
}

/** One pass: deletes every Event older than the TTL. */
export async function expireEvents(store: Store, ranges: AllocationRanges, options: EventExpiryOptions = {}, now = Date.now()): Promise<ExpiryPass> {
  const ttl = options.ttlMs ?? DEFAULT_EVENT_TTL_MS;
  const batch = options.batch ?? 500;
  const kind = kindByName('Event')!;
  const expired: Array<{ namespace: string; name: string }> = [];
  let nextDue = Infinity;
  let after: { namespace: string; name: string } | undefined;
  // Read in pages at the head, a turn apart; each page is one indexed range read.
  for (;;) {
    const page = store.list({ kind: 'Event', after, limit: 1000 });
    for (const e of page.items) {
      const due = lastOccurrence(e) + ttl;
      if (now > due) expired.push({ namespace: e.metadata.namespace ?? '', name: e.metadata.name });
      else nextDue = Math.min(nextDue, due);
    }
    if (!page.hasMore || page.items.length === 0) break;
    const last = page.items.at(-1)!;
    after = { namespace: last.metadata.namespace ?? '', name: last.metadata.name };
    await new Promise((resolve) => setImmediate(resolve));
  }
  let deleted = 0;
  for (let i = 0; i < expired.length; i += batch) {
    const keys = expired.slice(i, i + batch);
    deleted += await store.write((tx) => {
      let n = 0;
      for (const k of keys) {
        const current = tx.get('Event', k.namespace, k.name);
        // Seen again since it was read: it lives on.
        if (current && now - lastOccurrence(current) <= ttl) nextDue = Math.min(nextDue, lastOccurrence(current) + ttl);
        if (!current || now - lastOccurrence(current) <= ttl) continue;
        deleteInTx(tx, { actor: SERVER_ACTOR, warnings: [], ranges, admission: SERVER_WRITES }, kind, current, {});
        n++;
      }
      return n;
    });
  }
  return { deleted, nextDue };
}

const log = createLogger('api');

export function startEventExpiry(store: Store, ranges: AllocationRanges, options: EventExpiryOptions = {}): () => void {
  const ttl = options.ttlMs ?? DEFAULT_EVENT_TTL_MS;
  let running = false;
  /** No Event can expire before this (ms since epoch); 0: unknown, a pass is due. */
  let nextDue = 0;
  const stopWatching = store.onCommit((_head, events) => {
    // No events: the store's state jumped (a replica copied afresh); anything may be there.
    if (events.length === 0) nextDue = 0;
    for (const e of events) if (e.kind === 'Event' && e.type !== 'DELETED') nextDue = Math.min(nextDue, lastOccurrence(e.object) + ttl);
  });
  const timer = setInterval(() => {
    if (running || Date.now() < nextDue) return;
    running = true;
    // Events written while the pass reads lower it again through the commit hook.
    nextDue = Infinity;
    expireEvents(store, ranges, options)
      .then((pass) => (nextDue = Math.min(nextDue, pass.nextDue)))
      .catch((error: unknown) => {
        nextDue = 0;
        log.error({ err: error }, 'event expiry failed');
      })
      .finally(() => (running = false));
  }, options.intervalMs ?? 60_000);
  timer.unref();
  return () => {
    clearInterval(timer);
    stopWatching();
  };
}
