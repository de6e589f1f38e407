/** Cells kubectl prints for services, endpoints, nodes and workloads (ports, addresses, roles, selectors, images). */
import type { DaemonSet, Deployment, Endpoints, Job, LabelSelector, Node, ReplicaSet, Service, StatefulSet } from '../objects.js';

const none = (s: string) => s || '<none>';

export function servicePorts(svc: Service): string {
  const ports = svc.spec.ports ?? [];
  return none(ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(','));
}

export function serviceExternalIP(svc: Service): string {
  const spec = svc.spec;
  const external = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ExternalName':
      return spec.externalName ?? '<none>';
    case 'LoadBalancer': {
      const ingress = svc.status?.loadBalancer?.ingress ?? [];
      const all = [...ingress.map((i) => i.ip ?? i.hostname).filter(Boolean), ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    default:
      return none(external.join(','));
  }
}

/** `10.128.0.5:80,10.128.0.6:80 + 1 more...`, as kubectl's formatEndpoints (at most three). */
export function endpointsList(ep: Endpoints): string {
  const all: string[] = [];
  for (const subset of ep.subsets ?? []) {
    const ports: Array<{ port?: number }> = subset.ports?.length ? subset.ports : [{}];
    for (const port of ports)
      for (const address of subset.addresses ?? []) all.push(port.port !== undefined ? `${address.ip}:${port.port}` : address.ip);
  }
  if (all.length === 0) return '<none>';
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
}

export function nodeStatus(node: Node): string {
  const conditions = node.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  const states = [!ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : ready.status === 'False' ? 'NotReady' : 'Unknown'];
  if (node.spec?.unschedulable) states.push('SchedulingDisabled');
  return states.join(',');
}

export function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata.labels ?? {})) {
    if (key.startsWith('node-role.kubernetes.io/') && key.length > 'node-role.kubernetes.io/'.length) roles.add(key.slice('node-role.kubernetes.io/'.length));
    else if (key === 'kubernetes.io/role' && value) roles.add(value);
  }
  return none([...roles].sort().join(','));
}

export function nodeAddress(node: Node, type: string): string {
  const addresses = node.status?.addresses ?? [];
  return none(addresses.filter((a) => a.type === type).map((a) => a.address).join(','));
}

/** A label selector (`{matchLabels, matchExpressions}` or a plain map) as kubectl prints it. */
export function selectorText(selector: LabelSelector | Record<string, string> | undefined): string {
  if (!selector) return '<none>';
  const isSelector = (s: LabelSelector | Record<string, string>): s is LabelSelector => 'matchLabels' in s || 'matchExpressions' in s;
  const labels = isSelector(selector) ? (selector.matchLabels ?? {}) : selector;
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  for (const e of isSelector(selector) ? (selector.matchExpressions ?? []) : []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return none(parts.join(','));
}

export function labelsText(labels: Record<string, string> | undefined): string {
  // Sorted by key, as kubectl's labels.FormatLabels.
  return none(Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join(','));
}

/** The pod template's containers (`spec.template.spec.containers`): names and images. */
export function templateContainers(workload: Deployment | ReplicaSet | Job | DaemonSet | StatefulSet, field: 'name' | 'image'): string {
  const containers = workload.spec.template.spec.containers ?? [];
  return none(containers.map((c) => c[field] ?? '').join(','));
}

export const count = (v: unknown): string => String(typeof v === 'number' ? v : 0);
