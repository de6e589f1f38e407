/**
 * The columns printed after NAME, per kind, as Kubernetes' printers lay them out (pkg/printers/
 * internalversion): `kq get` prints them, and the REST API answers them as a server-side Table for
 * kubectl. `name` is Kubernetes' column name (the header is it in capitals); `wide` columns
 * (priority 1) only with `-o wide`. A kind without an entry gets AGE alone (as Kubernetes does for
 * resources without a printer).
 */
import type { KObject, KindDef } from '../kind.js';
import { isKind, type ClusterRoleBinding, type DaemonSet, type Deployment, type Job, type KindName, type ObjectOf, type ReplicaSet, type ResourceQuota, type RoleBinding, type StatefulSet } from '../objects.js';
import { age, humanDuration } from './age.js';
import { count, endpointsList, labelsText, nodeAddress, nodeRoles, nodeStatus, selectorText, serviceExternalIP, servicePorts, templateContainers } from './cells.js';
import { podReady, podRestarts, podStatus } from './pod-status.js';
import { involvedText, lastSeenText, sourceText } from './event-cells.js';

export interface Column {
  /** Kubernetes' column name (`Cluster-IP`, `Nominated Node`); kubectl prints it in capitals. */
  name: string;
  wide?: boolean;
  cell(o: KObject, now: number): string;
}

/** A column of one kind's objects, read through the kind's type. */
interface KindColumn<T extends KObject> {
  name: string;
  wide?: boolean;
  cell(o: T, now: number): string;
}

const orNone = (v: unknown) => (v === undefined || v === null || v === '' ? '<none>' : String(v));

const AGE: KindColumn<KObject> = { name: 'Age', cell: (o, now) => age(o.metadata.creationTimestamp, now) };

type Workload = Deployment | ReplicaSet | Job | DaemonSet | StatefulSet;
const WORKLOAD_WIDE: Array<KindColumn<Workload>> = [
  { name: 'Containers', wide: true, cell: (o) => templateContainers(o, 'name') },
  { name: 'Images', wide: true, cell: (o) => templateContainers(o, 'image') },
  { name: 'Selector', wide: true, cell: (o) => selectorText(o.spec.selector) },
];

/** `used/hard` of a quota's entries, those under `limits.` or the others. */
function quotaEntries(o: ResourceQuota, limits: boolean): string {
  const hard = o.status?.hard ?? o.spec?.hard ?? {};
  const used = o.status?.used ?? {};
  return Object.keys(hard)
    .filter((k) => k.startsWith('limits.') === limits)
    .sort()
    .map((k) => `${k}: ${String(used[k] ?? 0)}/${String(hard[k])}`)
    .join(', ');
}

/** A binding's subjects of one kind, `namespace/name` for service accounts. */
function subjects(o: RoleBinding | ClusterRoleBinding, kind: string): string {
  const list = (o.subjects ?? []).filter((s) => s.kind === kind);
  return list.map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name)).join(', ');
}

const BINDING: Array<KindColumn<RoleBinding | ClusterRoleBinding>> = [
  { name: 'Role', cell: (o) => `${o.roleRef.kind}/${o.roleRef.name}` },
  AGE,
  { name: 'Users', wide: true, cell: (o) => subjects(o, 'User') },
  { name: 'Groups', wide: true, cell: (o) => subjects(o, 'Group') },
  { name: 'ServiceAccounts', wide: true, cell: (o) => subjects(o, 'ServiceAccount') },
];

const hasCondition = (o: Job, type: string) => (o.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** printJob's Status. */
function jobStatus(o: Job): string {
  if (hasCondition(o, 'Complete')) return 'Complete';
  if (hasCondition(o, 'Failed')) return 'Failed';
  if (o.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(o, 'Suspended')) return 'Suspended';
  if (hasCondition(o, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(o, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

/** printJob's Completions: `succeeded/completions`, or for a work queue `succeeded/1` (`of parallelism` when above 1). */
function jobCompletions(o: Job): string {
  const succeeded = count(o.status?.succeeded);
  const completions = o.spec.completions;
  if (typeof completions === 'number') return `${succeeded}/${completions}`;
  const parallelism = o.spec.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** printJob's Duration: from startTime to completionTime, or to now while it runs. */
function jobDuration(o: Job, now: number): string {
  const start = Date.parse(o.status?.startTime ?? '');
  if (Number.isNaN(start)) return '';
  const end = Date.parse(o.status?.completionTime ?? '');
  return humanDuration((Number.isNaN(end) ? now : end) - start);
}

/** Each kind's columns, typed by the kind: a table of kind K prints objects of K. */
const COLUMNS: { [K in KindName]?: Array<KindColumn<ObjectOf<K>>> } = {
  Pod: [
    { name: 'Ready', cell: podReady },
    { name: 'Status', cell: podStatus },
    { name: 'Restarts', cell: (o) => String(podRestarts(o)) },
    AGE,
    { name: 'IP', wide: true, cell: (o) => orNone(o.status?.podIP) },
    { name: 'Node', wide: true, cell: (o) => orNone(o.spec.nodeName) },
    { name: 'Nominated Node', wide: true, cell: (o) => orNone(o.status?.nominatedNodeName) },
    { name: 'Readiness Gates', wide: true, cell: (o) => orNone((o.spec.readinessGates ?? []).map((g) => g.conditionType).join(',')) },
  ],
  Node: [
    { name: 'Status', cell: nodeStatus },
    { name: 'Roles', cell: nodeRoles },
    AGE,
    { name: 'Version', cell: (o) => orNone(o.status?.nodeInfo?.kubeletVersion) },
    { name: 'Internal-IP', wide: true, cell: (o) => nodeAddress(o, 'InternalIP') },
    { name: 'External-IP', wide: true, cell: (o) => nodeAddress(o, 'ExternalIP') },
    { name: 'OS-Image', wide: true, cell: (o) => orNone(o.status?.nodeInfo?.osImage) },
    { name: 'Kernel-Version', wide: true, cell: (o) => orNone(o.status?.nodeInfo?.kernelVersion) },
    { name: 'Container-Runtime', wide: true, cell: (o) => orNone(o.status?.nodeInfo?.containerRuntimeVersion) },
  ],
  Service: [
    { name: 'Type', cell: (o) => o.spec.type ?? 'ClusterIP' },
    { name: 'Cluster-IP', cell: (o) => orNone(o.spec.clusterIP) },
    { name: 'External-IP', cell: serviceExternalIP },
    { name: 'Port(s)', cell: servicePorts },
    AGE,
    { name: 'Selector', wide: true, cell: (o) => selectorText(o.spec.selector) },
  ],
  Endpoints: [{ name: 'Endpoints', cell: endpointsList }, AGE],
  Deployment: [
    { name: 'Ready', cell: (o) => `${count(o.status?.readyReplicas)}/${count(o.spec.replicas)}` },
    { name: 'Up-to-date', cell: (o) => count(o.status?.updatedReplicas) },
    { name: 'Available', cell: (o) => count(o.status?.availableReplicas) },
    AGE,
    ...WORKLOAD_WIDE,
  ],
  ReplicaSet: [
    { name: 'Desired', cell: (o) => count(o.spec.replicas) },
    { name: 'Current', cell: (o) => count(o.status?.replicas) },
    { name: 'Ready', cell: (o) => count(o.status?.readyReplicas) },
    AGE,
    ...WORKLOAD_WIDE,
  ],
  Job: [
    { name: 'Status', cell: jobStatus },
    { name: 'Completions', cell: jobCompletions },
    { name: 'Duration', cell: jobDuration },
    AGE,
    ...WORKLOAD_WIDE,
  ],
  DaemonSet: [
    { name: 'Desired', cell: (o) => count(o.status?.desiredNumberScheduled) },
    { name: 'Current', cell: (o) => count(o.status?.currentNumberScheduled) },
    { name: 'Ready', cell: (o) => count(o.status?.numberReady) },
    { name: 'Up-to-date', cell: (o) => count(o.status?.updatedNumberScheduled) },
    { name: 'Available', cell: (o) => count(o.status?.numberAvailable) },
    { name: 'Node Selector', cell: (o) => labelsText(o.spec.template.spec.nodeSelector) },
    AGE,
    ...WORKLOAD_WIDE,
  ],
  StatefulSet: [
    { name: 'Ready', cell: (o) => `${count(o.status?.readyReplicas)}/${count(o.spec.replicas)}` },
    AGE,
    ...WORKLOAD_WIDE.filter((c) => c.name !== 'Selector'),
  ],
  Namespace: [{ name: 'Status', cell: (o) => orNone(o.status?.phase) }, AGE],
  Lease: [{ name: 'Holder', cell: (o) => orNone(o.spec?.holderIdentity) }, AGE],
  ResourceQuota: [AGE, { name: 'Request', cell: (o) => quotaEntries(o, false) }, { name: 'Limit', cell: (o) => quotaEntries(o, true) }],
  ServiceAccount: [{ name: 'Secrets', cell: (o) => String((o.secrets ?? []).length) }, AGE],
  ConfigMap: [{ name: 'Data', cell: (o) => String(Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length) }, AGE],
  Secret: [{ name: 'Type', cell: (o) => orNone(o.type) }, { name: 'Data', cell: (o) => String(Object.keys(o.data ?? {}).length) }, AGE],
  // Kubernetes' event printer: no Name up front (it comes last with -o wide).
  Event: [
    { name: 'Last Seen', cell: lastSeenText },
    { name: 'Type', cell: (o) => orNone(o.type) },
    { name: 'Reason', cell: (o) => orNone(o.reason) },
    { name: 'Object', cell: involvedText },
    { name: 'Subobject', wide: true, cell: (o) => o.involvedObject.fieldPath ?? '' },
    { name: 'Source', wide: true, cell: sourceText },
    { name: 'Message', cell: (o) => String(o.message ?? '').trim() },
    { name: 'First Seen', wide: true, cell: (o, now) => age(o.firstTimestamp ?? o.metadata.creationTimestamp, now) },
    { name: 'Count', wide: true, cell: (o) => String(o.count ?? 1) },
    { name: 'Name', wide: true, cell: (o) => o.metadata.name },
  ],
  Role: [{ name: 'Created At', cell: (o) => String(o.metadata.creationTimestamp ?? '') }],
  ClusterRole: [{ name: 'Created At', cell: (o) => String(o.metadata.creationTimestamp ?? '') }],
  RoleBinding: BINDING,
  ClusterRoleBinding: BINDING,
};

/** Kinds whose table has no NAME column first (Kubernetes' Events). */
export const hidesName = (kind: KindDef): boolean => kind.kind === 'Event';

/** Columns of `kind` over objects of that kind: an object of another kind (never given) prints empty cells. */
function columnsOf<K extends KindName>(kind: K): Column[] {
  const columns: Array<KindColumn<ObjectOf<K>>> = COLUMNS[kind] ?? [AGE];
  return columns.map((c) => ({ name: c.name, wide: c.wide, cell: (o: KObject, now: number) => (isKind(o, kind) ? c.cell(o, now) : '') }));
}

const byKind = new Map<string, Column[]>();

export function columnsFor(kind: KindDef, wide: boolean): Column[] {
  let columns = byKind.get(kind.kind);
  if (!columns) byKind.set(kind.kind, (columns = kind.kind in COLUMNS ? columnsOf(kind.kind as KindName) : [AGE]));
  return columns.filter((c) => wide || !c.wide);
}
