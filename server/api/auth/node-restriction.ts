/**
 * Kubernetes' NodeRestriction admission for a node's writes to its own Node: it may not add,
 * change or remove labels in the kubernetes.io and k8s.io namespaces (node-role.kubernetes.io/*
 * among them: that would let a node steer workloads meant for control-plane or other nodes),
 * except the ones a kubelet sets about itself (hostname, os, arch, zone, region, instance type, and
 * the kubelet.kubernetes.io and node.kubernetes.io namespaces); nor any label under
 * node-restriction.kubernetes.io, which exists to be set only by administrators.
 */
import { KubeqlError } from '../../errors.js';
import type { KObject, KindDef } from '../../resources/kind.js';
import type { Guard } from './guard.js';
import { nodeNameOf } from './identity.js';

const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
  'beta.kubernetes.io/instance-type',
  'kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'failure-domain.kubernetes.io/zone',
  'failure-domain.kubernetes.io/region',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
]);
const KUBELET_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

const within = (namespace: string, domain: string) => namespace === domain || namespace.endsWith(`.${domain}`);

/** True when a node may not set (or change, or remove) this label key on its own Node. */
export function forbiddenToNode(key: string): boolean {
  const slash = key.indexOf('/');
  const namespace = slash < 0 ? '' : key.slice(0, slash);
  if (within(namespace, 'node-restriction.kubernetes.io')) return true;
  if (!within(namespace, 'kubernetes.io') && !within(namespace, 'k8s.io')) return false;
  return !KUBELET_LABELS.has(key) && !KUBELET_NAMESPACES.some((ns) => within(namespace, ns));
}

/** The labels a write adds, changes or removes. */
function modifiedLabels(next: KObject, current: KObject | undefined): string[] {
  const before = current?.metadata.labels ?? {};
  const after = next.metadata.labels ?? {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]);
}

export function checkNodeRestriction(guard: Guard, kind: KindDef, next: KObject, current: KObject | undefined, path: string): void {
  if (kind.kind !== 'Node' || nodeNameOf(guard.identity) === undefined) return;
  const forbidden = modifiedLabels(next, current).filter(forbiddenToNode).sort();
  if (forbidden.length === 0) return;
  throw new KubeqlError(
    'FORBIDDEN',
    `nodes "${next.metadata.name}" is forbidden: node ${JSON.stringify(nodeNameOf(guard.identity))} is not allowed to modify labels: ${forbidden.join(', ')}`,
    { kind: 'Node', name: next.metadata.name, field: `${path}.metadata.labels` },
  );
}
