/**
 * Projects one event into the versioned tables: closes the object's current row and label rows
 * that changed at the event's revision, opens new ones, and keeps its allocations. A pure function
 * of the event and the object's previous state, so replaying the log rebuilds the same tables.
 */
import type { Allocation, KObject } from '../resources/kind.js';
import type { EventType } from './types.js';

/** The statements projectEvent runs: the live path passes its drizzle ones, replay the same SQL bound directly (raw-statements.ts). */
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
  const key = { kind: e.kind, namespace: e.namespace, name: e.name };
  if (previous) st.closeObject.run({ ...key, revision: e.revision });
  const oldLabels = previous?.metadata.labels ?? {};
  const newLabels = e.type === 'DELETED' ? {} : (e.object.metadata.labels ?? {});
  for (const [k, v] of Object.entries(oldLabels)) if (newLabels[k] !== v) st.closeLabel.run({ ...key, key: k, revision: e.revision });
  for (const [k, v] of Object.entries(newLabels)) if (oldLabels[k] !== v) st.insertLabel.run({ ...key, key: k, value: v, revision: e.revision });

  const oldAllocations = previous ? allocationsOf(previous) : [];
  const newAllocations = e.type === 'DELETED' ? [] : allocationsOf(e.object);
  if (!sameAllocations(oldAllocations, newAllocations)) {
    if (oldAllocations.length) st.freeAllocations.run(key);
    for (const a of newAllocations) st.insertAllocation.run({ ...key, pool: a.pool, value: a.value });
  }
  if (e.type === 'DELETED') return;

  const spec = e.object.spec as { nodeName?: unknown } | undefined;
  const status = e.object.status as { phase?: unknown } | undefined;
  st.insertObject.run({
    ...key,
    revision: e.revision,
    uid: e.uid,
    nodeName: typeof spec?.nodeName === 'string' ? spec.nodeName : null,
    phase: typeof status?.phase === 'string' ? status.phase : null,
    controllerUid: e.object.metadata.ownerReferences?.find((r) => r.controller)?.uid ?? null,
    object: e.json,
  });
}

function sameAllocations(a: Allocation[], b: Allocation[]): boolean {
  return a.length === b.length && a.every((x, i) => x.pool === b[i].pool && x.value === b[i].value);
}
