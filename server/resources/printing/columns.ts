/**
 * The columns printed after NAME, per kind, as Kubernetes' printers lay them out (pkg/printers/
 * internalversion): `kq get` prints them, and the REST API answers them as a server-side Table for
 * kubectl. `name` is Kubernetes' column name (the header is it in capitals); `wide` columns
 * (priority 1) only with `-o wide`. A kind without an entry gets AGE alone (as Kubernetes does for
 * resources without a printer).
 */
import type { KObject, KindDef } from '../kind.js';
import { age } from './age.js';
import { count, endpointsList, nodeAddress, nodeRoles, nodeStatus, selectorText, serviceExternalIP, servicePorts, templateContainers } from './cells.js';
import { podReady, podRestarts, podStatus } from './pod-status.js';

export interface Column {
  /** Kubernetes' column name (`Cluster-IP`, `Nominated Node`); kubectl prints it in capitals. */
  name: string;
  wide?: boolean;
  cell(o: KObject, now: number): string;
}

type Obj = Record<string, any>;
const spec = (o: KObject): Obj => (o.spec as Obj | undefined) ?? {};
const status = (o: KObject): Obj => (o.status as Obj | undefined) ?? {};
const orNone = (v: unknown) => (v === undefined || v === null || v === '' ? '<none>' : String(v));

const AGE: Column = { name: 'Age', cell: (o, now) => age(o.metadata.creationTimestamp, now) };

const WORKLOAD_WIDE: Column[] = [
  { name: 'Containers', wide: true, cell: (o) => templateContainers(o, 'name') },
  { name: 'Images', wide: true, cell: (o) => templateContainers(o, 'image') },
  { name: 'Selector', wide: true, cell: (o) => selectorText(spec(o).selector) },
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

/** A binding's subjects of one kind, `namespace/name` for service accounts. */
function subjects(o: KObject, kind: string): string {
  const list = ((o.subjects as Obj[] | undefined) ?? []).filter((s) => s?.kind === kind);
  return list.map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name)).join(', ');
}

const BINDING: Column[] = [
  { name: 'Role', cell: (o) => `${(o.roleRef as Obj | undefined)?.kind ?? ''}/${(o.roleRef as Obj | undefined)?.name ?? ''}` },
  AGE,
  { name: 'Users', wide: true, cell: (o) => subjects(o, 'User') },
  { name: 'Groups', wide: true, cell: (o) => subjects(o, 'Group') },
  { name: 'ServiceAccounts', wide: true, cell: (o) => subjects(o, 'ServiceAccount') },
];

const COLUMNS: Record<string, Column[]> = {
  Pod: [
    { name: 'Ready', cell: podReady },
    { name: 'Status', cell: podStatus },
    { name: 'Restarts', cell: (o) => String(podRestarts(o)) },
    AGE,
    { name: 'IP', wide: true, cell: (o) => orNone(status(o).podIP) },
    { name: 'Node', wide: true, cell: (o) => orNone(spec(o).nodeName) },
    { name: 'Nominated Node', wide: true, cell: (o) => orNone(status(o).nominatedNodeName) },
    { name: 'Readiness Gates', wide: true, cell: (o) => orNone((spec(o).readinessGates ?? []).map((g: Obj) => g.conditionType).join(',')) },
  ],
  Node: [
    { name: 'Status', cell: nodeStatus },
    { name: 'Roles', cell: nodeRoles },
    AGE,
    { name: 'Version', cell: (o) => orNone(status(o).nodeInfo?.kubeletVersion) },
    { name: 'Internal-IP', wide: true, cell: (o) => nodeAddress(o, 'InternalIP') },
    { name: 'External-IP', wide: true, cell: (o) => nodeAddress(o, 'ExternalIP') },
    { name: 'OS-Image', wide: true, cell: (o) => orNone(status(o).nodeInfo?.osImage) },
    { name: 'Kernel-Version', wide: true, cell: (o) => orNone(status(o).nodeInfo?.kernelVersion) },
    { name: 'Container-Runtime', wide: true, cell: (o) => orNone(status(o).nodeInfo?.containerRuntimeVersion) },
  ],
  Service: [
    { name: 'Type', cell: (o) => spec(o).type ?? 'ClusterIP' },
    { name: 'Cluster-IP', cell: (o) => orNone(spec(o).clusterIP) },
    { name: 'External-IP', cell: serviceExternalIP },
    { name: 'Port(s)', cell: servicePorts },
    AGE,
    { name: 'Selector', wide: true, cell: (o) => selectorText(spec(o).selector) },
  ],
  Endpoints: [{ name: 'Endpoints', cell: endpointsList }, AGE],
  Deployment: [
    { name: 'Ready', cell: (o) => `${count(status(o).readyReplicas)}/${count(spec(o).replicas)}` },
    { name: 'Up-to-date', cell: (o) => count(status(o).updatedReplicas) },
    { name: 'Available', cell: (o) => count(status(o).availableReplicas) },
    AGE,
    ...WORKLOAD_WIDE,
  ],
  ReplicaSet: [
    { name: 'Desired', cell: (o) => count(spec(o).replicas) },
    { name: 'Current', cell: (o) => count(status(o).replicas) },
    { name: 'Ready', cell: (o) => count(status(o).readyReplicas) },
    AGE,
    ...WORKLOAD_WIDE,
  ],
  Namespace: [{ name: 'Status', cell: (o) => orNone(status(o).phase) }, AGE],
  Lease: [{ name: 'Holder', cell: (o) => orNone(spec(o).holderIdentity) }, AGE],
  ResourceQuota: [AGE, { name: 'Request', cell: (o) => quotaEntries(o, false) }, { name: 'Limit', cell: (o) => quotaEntries(o, true) }],
  ServiceAccount: [{ name: 'Secrets', cell: (o) => String(((o.secrets as unknown[] | undefined) ?? []).length) }, AGE],
  Role: [{ name: 'Created At', cell: (o) => String(o.metadata.creationTimestamp ?? '') }],
  ClusterRole: [{ name: 'Created At', cell: (o) => String(o.metadata.creationTimestamp ?? '') }],
  RoleBinding: BINDING,
  ClusterRoleBinding: BINDING,
};

export function columnsFor(kind: KindDef, wide: boolean): Column[] {
  return (COLUMNS[kind.kind] ?? [AGE]).filter((c) => wide || !c.wide);
}
