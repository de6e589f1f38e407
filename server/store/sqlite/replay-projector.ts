/**
 * Replay's side of projectEvent: the live path's own projectEvent runs against statements that
 * record replay's operations (replay-sql.cjs) instead of running SQL, so the rows replay writes are
 * decided by the same code that wrote the live ones, and the SQL can run on another thread.
 *
 * Write-behind for the versioned tables (objects, labels): replay knows each version's end, since
 * the object's next event closes it, so a new version is held here until that close arrives and is
 * then recorded once, already closed (to_rev set), instead of being inserted open and updated
 * later. Versions still open at the end are recorded open by finish(). A close with nothing held (a
 * row of the snapshot copied from the floor) records the UPDATE the live path runs. The rows
 * written are the rows the live statements would have written; only their physical order differs.
 *
 * Of an object's current version only what projectEvent reads of a previous version is kept, its
 * labels and its allocations, not the parsed object: a million parsed objects that each live until
 * the object's next event would all be promoted to the old generation, and the garbage collector
 * would cost more than the projection.
 *
 * Nor is every event's object parsed: when allocationsOf names the kinds that can hold allocations,
 * the object of any other kind is projected from the few fields projectEvent reads of it (labels,
 * spec.nodeName, status.phase, ownerReferences), which SQLite extracts from the log row as JSON
 * text (READ_FIELDS), parsed here exactly as JSON.parse of the whole object would give them; its
 * JSON is not read at all (readObjectColumn).
 *
 * A version's body is written NULL, as the live path writes it: the event that opened the version
 * holds it (version-body.ts), and every version replay opens is opened by an event of the log.
 */
import type { Allocation, KObject } from '../../resources/kind.js';
import { projectEvent, type ProjectionStatements } from '../project-event.js';
import type { AllocationsOf } from '../records.js';
import type { EventType } from '../types.js';
import { OP } from './replay-sql.js';

/**
 * The log columns a projected row holds, in order: revision, type, kind, namespace, name, uid,
 * object (its JSON), then the fields projectEvent reads of an object, each as SQLite's JSON text of
 * it (NULL where absent). JSON text (`->`), not SQL values (`->>`): a nodeName that is an object
 * must stay an object.
 */
export const READ_COLUMNS = 'revision, type, kind, namespace, name, uid';
export const READ_FIELDS = ["object -> '$.metadata.labels'", "object -> '$.spec.nodeName'", "object -> '$.status.phase'", "object -> '$.metadata.ownerReferences'"].join(', ');

/** The object's JSON, read only for the kinds parsed in full (`kinds`: those that can hold allocations; undefined: every kind). */
export function readObjectColumn(kinds: readonly string[] | undefined): string {
  if (kinds === undefined) return 'object';
  if (kinds.length === 0) return 'NULL';
  return `CASE WHEN kind IN (${kinds.map((k) => `'${k.replaceAll("'", "''")}'`).join(', ')}) THEN object END`;
}

/** An object's current version during replay (what projectEvent reads of it), with the rows not yet written. */
interface Entry {
  labels: Record<string, string> | undefined;
  allocations: Allocation[];
  /** The open version's objects row (replay-sql's column order), not yet written. */
  held?: unknown[];
  /** Open label rows not yet written, by label key. */
  heldLabels?: Map<string, unknown[]>;
}

/** Index of to_rev in replay's objects and labels rows (REPLAY_COLUMNS). */
const OBJECT_TO_REV = 4;
const LABEL_TO_REV = 6;

type Values = Record<string, unknown>;
const keyOf = (kind: string, namespace: string, name: string) => `${kind}\u0000${namespace}\u0000${name}`;

export interface ReplayProjector {
  /** Registers a current object copied from the snapshot (its rows are already in the target) and records its allocations. */
  addSnapshotObject(kind: string, namespace: string, name: string, object: KObject): void;
  /** Projects one log row (READ_COLUMNS, object, READ_FIELDS: see there). */
  project(row: unknown[]): void;
  /** Records the versions still open (call once, after the last event). */
  finish(): void;
  /** The operations recorded so far; recording starts a new list. */
  take(): unknown[];
}

const NONE: Allocation[] = [];

/** A field's value from SQLite's JSON text of it; a plain string without escapes is taken as it is. */
function fieldValue(json: string | null): unknown {
  if (json === null) return undefined;
  return json.charCodeAt(0) === 34 && json.indexOf('\\') < 0 ? json.slice(1, -1) : JSON.parse(json);
}

export function createReplayProjector(allocationsOf: AllocationsOf): ReplayProjector {
  /** Kinds whose objects are parsed in full (undefined: every kind). */
  const allocating = allocationsOf.kinds && new Set(allocationsOf.kinds);
  const current = new Map<string, Entry>();
  let ops: unknown[] = [];
  /** The entry of the object projectEvent is working on: every statement it runs is about that object. */
  let entry: Entry = { labels: undefined, allocations: NONE };
  /**
   * The previous version as projectEvent sees it: labels from the entry, and allocations answered
   * from the entry by allocationsFor (the only reads projectEvent makes of a previous version).
   */
  const previous = { metadata: { labels: undefined as Record<string, string> | undefined } } as unknown as KObject;
  /** The event's object and its allocations, as computed during its projection. */
  let latestObject: KObject | undefined;
  let latestAllocations = NONE;
  /** Whether the event's object was parsed in full (else it is the fields projectEvent reads, and holds no allocations). */
  let whole = true;
  const allocationsFor = (o: KObject): Allocation[] => {
    if (o === previous) return entry.allocations;
    latestObject = o;
    return (latestAllocations = whole ? allocationsOf(o) : NONE);
  };

  const statements: ProjectionStatements = {
    closeObject: {
      run(v: Values) {
        const held = entry.held;
        if (held) {
          held[OBJECT_TO_REV] = v.revision;
          ops.push(OP.insertObject, held[0], held[1], held[2], held[3], held[4], held[5], held[6], held[7], held[8], held[9]);
          entry.held = undefined;
        } else ops.push(OP.closeObject, v.revision, v.kind, v.namespace, v.name);
      },
    },
    insertObject: {
      run(v: Values) {
        // The body stays in the event that opens the version (NULL here), as live.
        entry.held = [v.kind, v.namespace, v.name, v.revision, null, v.uid, v.nodeName, v.phase, v.controllerUid, null];
      },
    },
    closeLabel: {
      run(v: Values) {
        const held = entry.heldLabels?.get(v.key as string);
        if (held) {
          held[LABEL_TO_REV] = v.revision;
          ops.push(OP.insertLabel, held[0], held[1], held[2], held[3], held[4], held[5], held[6]);
          entry.heldLabels!.delete(v.key as string);
        } else ops.push(OP.closeLabel, v.revision, v.kind, v.namespace, v.name, v.key);
      },
    },
    insertLabel: {
      run(v: Values) {
        (entry.heldLabels ??= new Map()).set(v.key as string, [v.kind, v.namespace, v.name, v.key, v.value, v.revision, null]);
      },
    },
    freeAllocations: {
      run(v: Values) {
        ops.push(OP.freeAllocations, v.kind, v.namespace, v.name);
      },
    },
    insertAllocation: {
      run(v: Values) {
        ops.push(OP.insertAllocation, v.pool, v.value, v.kind, v.namespace, v.name);
      },
    },
  };

  return {
    addSnapshotObject(kind, namespace, name, object) {
      const allocations = allocationsOf(object);
      current.set(keyOf(kind, namespace, name), { labels: object.metadata.labels, allocations: allocations.length ? allocations : NONE });
      for (const a of allocations) ops.push(OP.insertAllocation, a.pool, a.value, kind, namespace, name);
    },
    project(row) {
      const [revision, type, kind, namespace, name, uid, text, labels, nodeName, phase, owners] = row as [number, EventType, string, string, string, string, string | null, ...Array<string | null>];
      // Only a kind parsed in full has its JSON read (readObjectColumn); projectEvent passes `json` on to the body, which replay writes NULL.
      const json = text ?? '';
      whole = allocating === undefined || allocating.has(kind);
      const object = whole
        ? (JSON.parse(text!) as KObject)
        : ({
            metadata: { labels: fieldValue(labels), ownerReferences: fieldValue(owners) },
            spec: { nodeName: fieldValue(nodeName) },
            status: { phase: fieldValue(phase) },
          } as unknown as KObject);
      const key = keyOf(kind, namespace, name);
      const found = current.get(key);
      entry = found ?? { labels: undefined, allocations: NONE };
      previous.metadata.labels = entry.labels;
      projectEvent(statements, { revision, type, kind, namespace, name, uid, object, json }, found ? previous : undefined, allocationsFor);
      if (type === 'DELETED') {
        if (found) current.delete(key);
        return;
      }
      entry.labels = object.metadata.labels;
      const allocations = latestObject === object ? latestAllocations : whole ? allocationsOf(object) : NONE;
      latestObject = undefined;
      entry.allocations = allocations.length ? allocations : NONE;
      if (!found) current.set(key, entry);
    },
    finish() {
      for (const e of current.values()) {
        const h = e.held;
        if (h) ops.push(OP.insertObject, h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9]);
        if (e.heldLabels) for (const l of e.heldLabels.values()) ops.push(OP.insertLabel, l[0], l[1], l[2], l[3], l[4], l[5], l[6]);
        e.held = undefined;
        e.heldLabels = undefined;
      }
    },
    take() {
      const list = ops;
      ops = [];
      return list;
    },
  };
}
