/**
 * Projects one event into the versioned tables: closes the object's current row and label rows
 * that changed at the event's revision, opens new ones, and keeps its allocations. A pure function
 * of the event and the object's previous state, so replaying the log rebuilds the same tables.
 * Of `previous` it reads only `metadata.labels` and what `allocationsOf` answers for it: replay
 * (sqlite/replay-projector.ts) keeps no more than that of each object's current version.
 */
import type { Allocation, KObject } from '../resources/kind.js';
import type { EventType } from './types.js';

/** The statements projectEvent runs: the live path passes its drizzle ones, replay the same SQL recording them for its own SQL (sqlite/replay-projector.ts). */
export type ProjectionStatements = { [K in 'closeObject' | 'insertObject' | 'closeLabel' | 'insertLabel' | 'freeAllocations' | 'insertAllocation']: { run(values: Record<string, unknown>): unknown } };

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
  if (previous) st.closeObject.run({ kind, namespace, name, revision });
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

  const spec = e.object.spec as { nodeName?: unknown } | undefined;
  const status = e.object.status as { phase?: unknown } | undefined;
  const owners = e.object.metadata.ownerReferences;
  st.insertObject.run({
    kind,
    namespace,
    name,
    revision,
    uid: e.uid,
    nodeName: typeof spec?.nodeName === 'string' ? spec.nodeName : null,
    phase: typeof status?.phase === 'string' ? status.phase : null,
    controllerUid: owners ? (owners.find((r) => r.controller)?.uid ?? null) : null,
    object: e.json,
  });
}

const NONE: Allocation[] = [];

function sameAllocations(a: Allocation[], b: Allocation[]): boolean {
  return a.length === b.length && a.every((x, i) => x.pool === b[i].pool && x.value === b[i].value);
}
