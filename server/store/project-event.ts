/**
 * Projects one event into the versioned tables: closes the object's current row and label rows
 * that changed at the event's revision, opens new ones, and keeps its allocations. A pure function
 * of the event and the object's previous state, so replaying the log rebuilds the same tables.
 * Of `previous` it reads only `metadata.labels` and what `allocationsOf` answers for it: replay
 * (sqlite/replay-projector.ts) keeps no more than that of each object's current version. (The live
 * path, which has whole objects and passes `supersede`, also reads its node and controller.)
 *
 * The live path updates a pod-like object in place (`supersede`): the current row is read, takes
 * the new version's values, and its old values go into a new row as the closed version, instead of
 * the current row being closed and followed by a new one. The versions are the same rows either way
 * (replay still closes and inserts). In place, the indexes of current rows (`objects_current`, and
 * `objects_node`, `objects_controller` unless the value changed) keep their entries, where closing
 * removed and inserting added each one: a bound pod's status write changed eight index entries on
 * five pages, now the primary key's three, side by side (an append of such a write: 141-148 µs of
 * CPU closed, 127 in place). Only objects with a node or a controller are updated so; for others
 * the read it takes costs more than the one entry it saves.
 */
import type { Allocation, KObject } from '../resources/kind.js';
import type { EventType } from './types.js';

type Statement = { run(values: Record<string, unknown>): unknown };

/** The statements projectEvent runs: the live path passes its drizzle ones, replay the same SQL recording them for its own SQL (sqlite/replay-projector.ts). */
export type ProjectionStatements = { [K in 'closeObject' | 'insertObject' | 'closeLabel' | 'insertLabel' | 'freeAllocations' | 'insertAllocation']: Statement } & {
  /**
   * An update in place (the live path): `current` reads the current row; `advance(nodeChanged,
   * controllerChanged)` gives it the new version's values (setting `node_name` and `controller_uid`
   * only when they change); `insertClosed` adds the old values as the version closed at the
   * event's revision. Without it, the current row is closed and a new one inserted.
   */
  supersede?: { current: { get(values: Record<string, unknown>): VersionRow | undefined }; advance(nodeChanged: boolean, controllerChanged: boolean): Statement; insertClosed: Statement };
};

/** An objects row's own values (the body column as stored: null while the opening event holds it). */
export type VersionRow = {
  fromRev: number;
  uid: string;
  nodeName: string | null;
  phase: string | null;
  controllerUid: string | null;
  object: string | null;
};

export interface ProjectedEvent {
  revision: number;
  type: EventType;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  object: KObject;
  /** The object serialized once, shared with the log row. */
  json: string;
}

export function projectEvent(
  st: ProjectionStatements,
  e: ProjectedEvent,
  previous: KObject | undefined,
  allocationsOf: (o: KObject) => Allocation[],
): void {
  // Plain loops and one values object per statement: replay runs this millions of times.
  const { kind, namespace, name, revision } = e;
  // In place only where it saves index work: a current row with a node or a controller has entries
  // in those partial indexes too; one with neither (a Lease) moves one entry when closed, fewer
  // than the read an update in place needs (measured: 73-78 µs an append closed, 80 in place).
  const inPlace = previous !== undefined && e.type !== 'DELETED' && st.supersede !== undefined && (nodeNameOf(previous) !== null || controllerOf(previous) !== null);
  if (previous && !inPlace) st.closeObject.run({ kind, namespace, name, revision });
  const oldLabels = previous?.metadata.labels;
  const newLabels = e.type === 'DELETED' ? undefined : e.object.metadata.labels;
  if (oldLabels) for (const k in oldLabels) if (newLabels?.[k] !== oldLabels[k]) st.closeLabel.run({ kind, namespace, name, key: k, revision });
  if (newLabels) for (const k in newLabels) if (oldLabels?.[k] !== newLabels[k]) st.insertLabel.run({ kind, namespace, name, key: k, value: newLabels[k], revision });

  const oldAllocations = previous ? allocationsOf(previous) : NONE;
  const newAllocations = e.type === 'DELETED' ? NONE : allocationsOf(e.object);
  if (!sameAllocations(oldAllocations, newAllocations)) {
    if (oldAllocations.length) st.freeAllocations.run({ kind, namespace, name });
    for (const a of newAllocations) st.insertAllocation.run({ kind, namespace, name, pool: a.pool, value: a.value });
  }
  if (e.type === 'DELETED') return;

  const status = e.object.status as { phase?: unknown } | undefined;
  const row = { kind, namespace, name, revision, uid: e.uid, nodeName: nodeNameOf(e.object), phase: typeof status?.phase === 'string' ? status.phase : null, controllerUid: controllerOf(e.object), object: e.json };
  const old = inPlace ? st.supersede!.current.get({ kind, namespace, name }) : undefined;
  if (old) {
    st.supersede!.advance(row.nodeName !== old.nodeName, row.controllerUid !== old.controllerUid).run(row);
    st.supersede!.insertClosed.run({ kind, namespace, name, ...old, toRev: revision });
  } else {
    // Replay, a create, or (never, while the tables and the log agree) an object without a current row to update.
    if (inPlace) st.closeObject.run({ kind, namespace, name, revision });
    st.insertObject.run(row);
  }
}

function nodeNameOf(o: KObject): string | null {
  const spec = o.spec as { nodeName?: unknown } | undefined;
  return typeof spec?.nodeName === 'string' ? spec.nodeName : null;
}

function controllerOf(o: KObject): string | null {
  const owners = o.metadata.ownerReferences;
  return owners ? (owners.find((r) => r.controller)?.uid ?? null) : null;
}

const NONE: Allocation[] = [];

function sameAllocations(a: Allocation[], b: Allocation[]): boolean {
  return a.length === b.length && a.every((x, i) => x.pool === b[i].pool && x.value === b[i].value);
}
