/**
 * What a watch should deliver, computed from the raw `events` table (read-only) by rules written
 * here, independently of the engine: an object that matches before and after is the event's own
 * type, one that starts matching is ADDED, one that stops matching is DELETED carrying its previous
 * state with the event's revision, a removal is DELETED when the watcher had the object.
 */
import type Database from 'better-sqlite3';

export interface LogRow {
  revision: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  kind: string;
  namespace: string;
  name: string;
  prevRevision: number | null;
  object: any;
}

/** One delivered (or expected) watch event; `object` is the whole object (the `manifest` field). */
export interface StreamEvent {
  type: string;
  revision: number;
  object: any;
}

/** A watch's selection, as a plain predicate the test writes by hand next to the selector strings. */
export interface WatchSpec {
  kind: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  matches(object: any): boolean;
}

/** Every event of the log, oldest first (the log must not have been compacted below `afterRevision`). */
export function readLog(db: Database.Database, afterRevision = 0): LogRow[] {
  const rows = db
    .prepare('SELECT revision, type, kind, namespace, name, prev_revision AS prevRevision, object FROM events WHERE revision > ? ORDER BY revision')
    .all(afterRevision) as Array<Omit<LogRow, 'object'> & { object: string }>;
  return rows.map((r) => ({ ...r, object: JSON.parse(r.object) }));
}

/**
 * The events a watch of `spec` from `fromRevision` (exclusive) up to `toRevision` must deliver.
 * `log` must start at or before the oldest previous version it needs (read from revision 0 when in doubt).
 */
export function expectedStream(log: readonly LogRow[], spec: WatchSpec, fromRevision: number, toRevision: number): StreamEvent[] {
  const byRevision = new Map<number, any>();
  for (const row of log) byRevision.set(row.revision, row.object);
  const selected = (o: any) => o.kind === spec.kind && (spec.namespace === undefined || o.metadata.namespace === spec.namespace) && spec.matches(o);
  const out: StreamEvent[] = [];
  for (const row of log) {
    if (row.revision <= fromRevision || row.revision > toRevision || row.kind !== spec.kind) continue;
    const previous = row.prevRevision === null ? undefined : byRevision.get(row.prevRevision);
    if (row.prevRevision !== null && previous === undefined) throw new Error(`the log read lacks revision ${row.prevRevision} (previous of ${row.revision})`);
    const before = previous !== undefined && selected(previous);
    const now = selected(row.object);
    if (row.type === 'ADDED') {
      if (now) out.push({ type: 'ADDED', revision: row.revision, object: row.object });
    } else if (row.type === 'DELETED') {
      if (before || now) out.push({ type: 'DELETED', revision: row.revision, object: row.object });
    } else if (before && now) out.push({ type: 'MODIFIED', revision: row.revision, object: row.object });
    else if (now) out.push({ type: 'ADDED', revision: row.revision, object: row.object });
    else if (before) {
      const gone = structuredClone(previous);
      gone.metadata.resourceVersion = String(row.revision);
      out.push({ type: 'DELETED', revision: row.revision, object: gone });
    }
  }
  return out;
}

/** Undefined when the two streams are equal; else where and how they first differ (short enough to read in a failure). */
export function firstDifference(actual: readonly StreamEvent[], expected: readonly StreamEvent[]): string | undefined {
  const brief = (e: StreamEvent | undefined) => (e ? `${e.type}@${e.revision} ${e.object?.metadata?.namespace}/${e.object?.metadata?.name}` : 'nothing');
  for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
    const a = actual[i];
    const b = expected[i];
    if (!a || !b || a.type !== b.type || a.revision !== b.revision || JSON.stringify(sortKeys(a.object)) !== JSON.stringify(sortKeys(b.object)))
      return `at index ${i} of ${actual.length} delivered / ${expected.length} expected: got ${brief(a)}, expected ${brief(b)}${
        a && b && a.type === b.type && a.revision === b.revision ? `\n got object ${JSON.stringify(a.object)}\n expected ${JSON.stringify(b.object)}` : ''
      }`;
  }
  return undefined;
}

/** Revisions strictly increase (so no duplicate and no reordering). */
export function orderProblem(events: readonly { revision: number; type: string }[]): string | undefined {
  for (let i = 1; i < events.length; i++)
    if (!(events[i].revision > events[i - 1].revision)) return `revision ${events[i].revision} (${events[i].type}) after ${events[i - 1].revision} at index ${i}`;
  return undefined;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  return value;
}
