/** `kq describe`'s text: kubectl's layout (aligned `Key:  value` lines, nested sections indented by two, camelCase keys as words). */
import type { KObject, KindDef } from '../../resources/kind.js';
import { isKind } from '../../resources/objects.js';
import { eventRows, eventsSection } from './event-rows.js';
import { humanDuration } from '../../resources/printing/age.js';
import { labelsText } from '../../resources/printing/cells.js';
import { podStatus } from '../../resources/printing/pod-status.js';
import { podLines, serviceLines, workloadLines } from './describe-pod.js';
import { isPlainObject } from '../../resources/plain-object.js';

type Line = { indent: number; key: string; value: string };

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** `terminationGracePeriodSeconds` → `Termination Grace Period Seconds`; `podCIDRs` → `Pod CIDRs`. */
export function words(key: string): string {
  const spaced = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    // An acronym followed by a word (`IPFamily` → `IP Family`), but not by a plural s (`CIDRs`).
    .replace(/([A-Z]+)([A-Z][a-z]+)/g, (m, acronym: string, word: string) => (word.length === 2 && word[1] === 's' ? m : `${acronym} ${word}`));
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** RFC 1123 with a numeric zone, in UTC, as kubectl prints timestamps. */
function when(value: unknown): string {
  const at = typeof value === 'string' ? new Date(value) : undefined;
  if (!at || Number.isNaN(at.getTime())) return '<unknown>';
  return at.toUTCString().replace('GMT', '+0000');
}


/** A value under a key: scalars inline, maps of strings as `k=v`-style lines, objects and lists nested. */
/** Fields whose maps hold data, not fields: their keys are printed as written. */
const DATA_MAPS = new Set(['labels', 'annotations', 'matchLabels', 'selector', 'nodeSelector', 'requests', 'limits', 'hard', 'used', 'allocatable', 'capacity', 'overhead', 'data']);

function section(lines: Line[], indent: number, key: string, value: unknown, field = ''): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    if (value.length === 0) return void lines.push({ indent, key, value: '<none>' });
    if (value.every((v) => !isPlainObject(v) && !Array.isArray(v))) return void lines.push({ indent, key, value: value.join(', ') });
    lines.push({ indent, key, value: '' });
    for (const item of value) {
      if (isPlainObject(item)) for (const [k, v] of Object.entries(item)) section(lines, indent + 1, words(k), v, k);
      else lines.push({ indent: indent + 1, key: '', value: JSON.stringify(item) });
    }
    return;
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return void lines.push({ indent, key, value: '<none>' });
    lines.push({ indent, key, value: '' });
    // Maps whose keys are data (labels, selectors, requests) keep their keys as written.
    const data = DATA_MAPS.has(field) && entries.every(([, v]) => typeof v === 'string' || typeof v === 'number');
    for (const [k, v] of entries) section(lines, indent + 1, data ? k : words(k), v, k);
    return;
  }
  lines.push({ indent, key, value: String(value) });
}

/** kubectl's multi-line label and annotation lists: the first beside the key, the rest aligned under it. */
function mapLines(lines: Line[], key: string, map: Record<string, string> | undefined, sep: string): void {
  const entries = Object.entries(map ?? {}).filter(([k]) => k !== LAST_APPLIED);
  if (entries.length === 0) return void lines.push({ indent: 0, key, value: '<none>' });
  entries.forEach(([k, v], i) => lines.push({ indent: 0, key: i === 0 ? key : '', value: `${k}${sep}${v}` }));
}

/** Lines a kind adds to the header (a pod's node, status and IP; a workload's replica counts). */
function summary(o: KObject): Line[] {
  const line = (key: string, value: unknown) => ({ indent: 0, key, value: value === undefined || value === null ? '<none>' : String(value) });
  const replicas = (desired?: number, updated?: number, total?: number, available?: number, unavailable?: number) =>
    line('Replicas', `${desired ?? 0} desired | ${updated ?? 0} updated | ${total ?? 0} total | ${available ?? 0} available | ${unavailable ?? 0} unavailable`);
  if (isKind(o, 'Pod')) return [line('Node', o.spec.nodeName), line('Status', podStatus(o)), line('IP', o.status?.podIP)];
  if (isKind(o, 'Job')) {
    const status = o.status ?? {};
    const start = Date.parse(status.startTime ?? '');
    const end = Date.parse(status.completionTime ?? '');
    return [
      ...(status.startTime ? [line('Start Time', when(status.startTime))] : []),
      ...(status.completionTime ? [line('Completed At', when(status.completionTime))] : []),
      ...(!Number.isNaN(start) && !Number.isNaN(end) ? [line('Duration', humanDuration(end - start))] : []),
      line('Pods Statuses', `${status.active ?? 0} Active (${status.ready ?? 0} Ready) / ${status.succeeded ?? 0} Succeeded / ${status.failed ?? 0} Failed`),
    ];
  }
  if (isKind(o, 'DaemonSet')) {
    const status = o.status ?? {};
    return [
      line('Node-Selector', labelsText(o.spec.template.spec.nodeSelector)),
      line('Desired Number of Nodes Scheduled', status.desiredNumberScheduled ?? 0),
      line('Current Number of Nodes Scheduled', status.currentNumberScheduled ?? 0),
      line('Number of Nodes Scheduled with Up-to-date Pods', status.updatedNumberScheduled ?? 0),
      line('Number of Nodes Scheduled with Available Pods', status.numberAvailable ?? 0),
      line('Number of Nodes Misscheduled', status.numberMisscheduled ?? 0),
    ];
  }
  if (isKind(o, 'StatefulSet')) return [line('Replicas', `${o.spec.replicas ?? 0} desired | ${o.status?.replicas ?? 0} total`)];
  if (isKind(o, 'Deployment')) {
    const s = o.status ?? {};
    return [replicas(o.spec.replicas, s.updatedReplicas, s.replicas, s.availableReplicas, s.unavailableReplicas)];
  }
  if (isKind(o, 'ReplicaSet')) return [replicas(o.spec.replicas, undefined, o.status?.replicas, o.status?.availableReplicas, undefined)];
  return [];
}

function render(lines: Line[]): string {
  // Align the values of siblings (lines at the same indent under the same parent), as kubectl's tabwriter does.
  const parent: number[] = [];
  const stack: number[] = [];
  lines.forEach((l, i) => {
    stack.length = l.indent;
    parent.push(l.indent === 0 ? -1 : (stack[l.indent - 1] ?? -1));
    stack[l.indent] = i;
  });
  const width = new Map<number, number>();
  lines.forEach((l, i) => width.set(parent[i], Math.max(width.get(parent[i]) ?? 0, l.key ? l.key.length + 1 : 0)));
  const out = lines.map((l, i) => {
    const pad = '  '.repeat(l.indent);
    const key = l.key ? `${l.key}:` : '';
    return l.value === '' ? `${pad}${key}` : `${pad}${key.padEnd(width.get(parent[i])!)}  ${l.value}`.trimEnd();
  });
  return `${out.join('\n')}\n`;
}

/** `related.endpoints`: a Service's Endpoints (null when it has none; undefined when not looked up); `related.events`: the Events about it (undefined: not read, no section). */
export function describeText(kind: KindDef, o: KObject, related: { endpoints?: KObject | null; events?: KObject[] } = {}): string {
  const rows = related.events ? eventRows(related.events) : [];
  const meta = o.metadata;
  const lines: Line[] = [{ indent: 0, key: 'Name', value: meta.name }];
  if (kind.namespaced) lines.push({ indent: 0, key: 'Namespace', value: meta.namespace ?? '' });
  mapLines(lines, 'Labels', meta.labels, '=');
  mapLines(lines, 'Annotations', meta.annotations, ': ');
  lines.push({ indent: 0, key: 'API Version', value: o.apiVersion }, { indent: 0, key: 'Kind', value: o.kind });
  lines.push({ indent: 0, key: 'CreationTimestamp', value: when(meta.creationTimestamp) });
  if (meta.deletionTimestamp) lines.push({ indent: 0, key: 'Terminating', value: `since ${when(meta.deletionTimestamp)}` });
  const controller = meta.ownerReferences?.find((r) => r.controller);
  if (controller) lines.push({ indent: 0, key: 'Controlled By', value: `${controller.kind}/${controller.name}` });
  if (meta.finalizers?.length) lines.push({ indent: 0, key: 'Finalizers', value: `[${meta.finalizers.join(' ')}]` });
  lines.push({ indent: 0, key: 'Resource Version', value: meta.resourceVersion });
  lines.push(...summary(o));
  if (kind.kind === 'Service' && related.endpoints !== undefined) {
    lines.push(...serviceLines(o, related.endpoints, rows));
    return render(lines);
  }
  if (kind.kind === 'Pod' || kind.kind === 'Deployment' || kind.kind === 'ReplicaSet') {
    lines.push(...(kind.kind === 'Pod' ? podLines(o, rows) : workloadLines(o, rows)));
    return render(lines);
  }
  for (const [field, value] of Object.entries(o)) {
    if (['apiVersion', 'kind', 'metadata'].includes(field)) continue;
    // A Secret's values are not printed, only their sizes (as kubectl describe does).
    if (kind.kind === 'Secret' && field === 'data' && isPlainObject(value)) section(lines, 0, 'Data', Object.fromEntries(Object.entries(value).map(([k, v]) => [k, `${Buffer.from(String(v), 'base64').length} bytes`])), field);
    else section(lines, 0, words(field), value, field);
  }
  return render(lines) + (related.events ? eventsSection(related.events) : '');
}

