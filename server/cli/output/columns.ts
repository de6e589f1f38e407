/**
 * The columns `kq get` prints after NAME, per kind, as kubectl's printers lay them out; `wide`
 * columns only with `-o wide`. A kind without an entry gets AGE alone (as kubectl does for
 * resources without a printer).
 */
import type { KObject, KindDef } from '../../resources/kind.js';
import { age, humanDuration } from './age.js';
import { count, endpointsList, labelsText, nodeAddress, nodeRoles, nodeStatus, selectorText, serviceExternalIP, servicePorts, templateContainers } from './cells.js';
import { podReady, podRestarts, podStatus } from './pod-status.js';

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

const hasCondition = (o: KObject, type: string) => ((status(o).conditions ?? []) as Obj[]).some((c) => c.type === type && c.status === 'True');

/** printJob's STATUS. */
function jobStatus(o: KObject): string {
  if (hasCondition(o, 'Complete')) return 'Complete';
  if (hasCondition(o, 'Failed')) return 'Failed';
  if (o.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(o, 'Suspended')) return 'Suspended';
  if (hasCondition(o, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(o, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

/** printJob's COMPLETIONS: `succeeded/completions`, or for a work queue `succeeded/1` (`of parallelism` when above 1). */
function jobCompletions(o: KObject): string {
  const succeeded = count(status(o).succeeded);
  const completions = spec(o).completions;
  if (typeof completions === 'number') return `${succeeded}/${completions}`;
  const parallelism = spec(o).parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** printJob's DURATION: from startTime to completionTime, or to now while it runs. */
function jobDuration(o: KObject, now: number): string {
  const start = Date.parse(status(o).startTime ?? '');
  if (Number.isNaN(start)) return '';
  const end = Date.parse(status(o).completionTime ?? '');
  return humanDuration((Number.isNaN(end) ? now : end) - start);
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
  Job: [
    { header: 'STATUS', cell: jobStatus },
    { header: 'COMPLETIONS', cell: jobCompletions },
    { header: 'DURATION', cell: jobDuration },
    AGE,
    ...WORKLOAD_WIDE,
  ],
  DaemonSet: [
    { header: 'DESIRED', cell: (o) => count(status(o).desiredNumberScheduled) },
    { header: 'CURRENT', cell: (o) => count(status(o).currentNumberScheduled) },
    { header: 'READY', cell: (o) => count(status(o).numberReady) },
    { header: 'UP-TO-DATE', cell: (o) => count(status(o).updatedNumberScheduled) },
    { header: 'AVAILABLE', cell: (o) => count(status(o).numberAvailable) },
    { header: 'NODE SELECTOR', cell: (o) => labelsText(spec(o).template?.spec?.nodeSelector) },
    AGE,
    ...WORKLOAD_WIDE,
  ],
  StatefulSet: [
    { header: 'READY', cell: (o) => `${count(status(o).readyReplicas)}/${count(spec(o).replicas)}` },
    AGE,
    ...WORKLOAD_WIDE.filter((c) => c.header !== 'SELECTOR'),
  ],
  Namespace: [{ header: 'STATUS', cell: (o) => orNone(status(o).phase) }, AGE],
  Lease: [{ header: 'HOLDER', cell: (o) => orNone(spec(o).holderIdentity) }, AGE],
  ResourceQuota: [AGE, { header: 'REQUEST', cell: (o) => quotaEntries(o, false) }, { header: 'LIMIT', cell: (o) => quotaEntries(o, true) }],
};

export function columnsFor(kind: KindDef, wide: boolean): Column[] {
  return (COLUMNS[kind.kind] ?? [AGE]).filter((c) => wide || !c.wide);
}
