/**
 * The columns `kq get` prints after NAME, per kind, as kubectl's printers lay them out; `wide`
 * columns only with `-o wide`. A kind without an entry gets AGE alone (as kubectl does for
 * resources without a printer).
 */
import type { KObject, KindDef } from '../../resources/kind.js';
import { age } from './age.js';
import { count, endpointsList, nodeAddress, nodeRoles, nodeStatus, selectorText, serviceExternalIP, servicePorts, templateContainers } from './cells.js';
import { podReady, podRestarts, podStatus } from './pod-status.js';
import { involvedText, lastSeenText, sourceText } from './event-rows.js';

export interface Column {
  header: string;
  wide?: boolean;
  cell(o: KObject, now: number): string;
}

type Obj = Record<string, any>;
const spec = (o: KObject): Obj => (o.spec as Obj | undefined) ?? {};
const status = (o: KObject): Obj => (o.status as Obj | undefined) ?? {};
const orNone = (v: unknown) => (v === undefined || v === null || v === '' ? '<none>' : String(v));

const AGE: Column = { header: 'AGE', cell: (o, now) => age(o.metadata.creationTimestamp, now) };

const WORKLOAD_WIDE: Column[] = [
  { header: 'CONTAINERS', wide: true, cell: (o) => templateContainers(o, 'name') },
  { header: 'IMAGES', wide: true, cell: (o) => templateContainers(o, 'image') },
  { header: 'SELECTOR', wide: true, cell: (o) => selectorText(spec(o).selector) },
];

/** `used/hard` of a quota's entries, those under `limits.` or the others. */
function quotaEntries(o: KObject, limits: boolean): string {
  const hard: Obj = status(o).hard ?? spec(o).hard ?? {};
  const used: Obj = status(o).used ?? {};
  return Object.keys(hard)
    .filter((k) => k.startsWith('limits.') === limits)
    .sort()
    .map((k) => `${k}: ${used[k] ?? 0}/${hard[k]}`)
    .join(', ');
}

const COLUMNS: Record<string, Column[]> = {
  Pod: [
    { header: 'READY', cell: podReady },
    { header: 'STATUS', cell: podStatus },
    { header: 'RESTARTS', cell: (o) => String(podRestarts(o)) },
    AGE,
    { header: 'IP', wide: true, cell: (o) => orNone(status(o).podIP) },
    { header: 'NODE', wide: true, cell: (o) => orNone(spec(o).nodeName) },
    { header: 'NOMINATED NODE', wide: true, cell: (o) => orNone(status(o).nominatedNodeName) },
    { header: 'READINESS GATES', wide: true, cell: (o) => orNone((spec(o).readinessGates ?? []).map((g: Obj) => g.conditionType).join(',')) },
  ],
  Node: [
    { header: 'STATUS', cell: nodeStatus },
    { header: 'ROLES', cell: nodeRoles },
    AGE,
    { header: 'VERSION', cell: (o) => orNone(status(o).nodeInfo?.kubeletVersion) },
    { header: 'INTERNAL-IP', wide: true, cell: (o) => nodeAddress(o, 'InternalIP') },
    { header: 'EXTERNAL-IP', wide: true, cell: (o) => nodeAddress(o, 'ExternalIP') },
    { header: 'OS-IMAGE', wide: true, cell: (o) => orNone(status(o).nodeInfo?.osImage) },
    { header: 'KERNEL-VERSION', wide: true, cell: (o) => orNone(status(o).nodeInfo?.kernelVersion) },
    { header: 'CONTAINER-RUNTIME', wide: true, cell: (o) => orNone(status(o).nodeInfo?.containerRuntimeVersion) },
  ],
  Service: [
    { header: 'TYPE', cell: (o) => spec(o).type ?? 'ClusterIP' },
    { header: 'CLUSTER-IP', cell: (o) => orNone(spec(o).clusterIP) },
    { header: 'EXTERNAL-IP', cell: serviceExternalIP },
    { header: 'PORT(S)', cell: servicePorts },
    AGE,
    { header: 'SELECTOR', wide: true, cell: (o) => selectorText(spec(o).selector) },
  ],
  Endpoints: [{ header: 'ENDPOINTS', cell: endpointsList }, AGE],
  Deployment: [
    { header: 'READY', cell: (o) => `${count(status(o).readyReplicas)}/${count(spec(o).replicas)}` },
    { header: 'UP-TO-DATE', cell: (o) => count(status(o).updatedReplicas) },
    { header: 'AVAILABLE', cell: (o) => count(status(o).availableReplicas) },
    AGE,
    ...WORKLOAD_WIDE,
  ],
  ReplicaSet: [
    { header: 'DESIRED', cell: (o) => count(spec(o).replicas) },
    { header: 'CURRENT', cell: (o) => count(status(o).replicas) },
    { header: 'READY', cell: (o) => count(status(o).readyReplicas) },
    AGE,
    ...WORKLOAD_WIDE,
  ],
  Namespace: [{ header: 'STATUS', cell: (o) => orNone(status(o).phase) }, AGE],
  Lease: [{ header: 'HOLDER', cell: (o) => orNone(spec(o).holderIdentity) }, AGE],
  ConfigMap: [{ header: 'DATA', cell: (o) => String(Object.keys((o.data as Obj | undefined) ?? {}).length + Object.keys((o.binaryData as Obj | undefined) ?? {}).length) }, AGE],
  Secret: [{ header: 'TYPE', cell: (o) => orNone(o.type) }, { header: 'DATA', cell: (o) => String(Object.keys((o.data as Obj | undefined) ?? {}).length) }, AGE],
  ServiceAccount: [{ header: 'SECRETS', cell: (o) => String(((o.secrets as unknown[] | undefined) ?? []).length) }, AGE],
  // kubectl's event printer: no NAME up front (it comes last with -o wide).
  Event: [
    { header: 'LAST SEEN', cell: lastSeenText },
    { header: 'TYPE', cell: (o) => orNone(o.type) },
    { header: 'REASON', cell: (o) => orNone(o.reason) },
    { header: 'OBJECT', cell: involvedText },
    { header: 'SUBOBJECT', wide: true, cell: (o) => String((o.involvedObject as Obj | undefined)?.fieldPath ?? '') },
    { header: 'SOURCE', wide: true, cell: sourceText },
    { header: 'MESSAGE', cell: (o) => String(o.message ?? '').trim() },
    { header: 'FIRST SEEN', wide: true, cell: (o, now) => age((o.firstTimestamp as string | undefined) ?? o.metadata.creationTimestamp, now) },
    { header: 'COUNT', wide: true, cell: (o) => String(o.count ?? 1) },
    { header: 'NAME', wide: true, cell: (o) => o.metadata.name },
  ],
  ResourceQuota: [AGE, { header: 'REQUEST', cell: (o) => quotaEntries(o, false) }, { header: 'LIMIT', cell: (o) => quotaEntries(o, true) }],
};

/** Kinds whose table has no NAME column first (kubectl's Events). */
export const hidesName = (kind: KindDef): boolean => kind.kind === 'Event';

export function columnsFor(kind: KindDef, wide: boolean): Column[] {
  return (COLUMNS[kind.kind] ?? [AGE]).filter((c) => wide || !c.wide);
}
