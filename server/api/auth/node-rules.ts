/**
 * What a node agent may do, as Kubernetes' Node authorizer and the system:node role decide it:
 * read what a kubelet and kube-proxy read; get a ConfigMap or Secret by name only when a pod bound
 * to it references it (the authorizer's graph: never a list or watch, never another node's);
 * write its own Node and Lease; write the status of, and finally delete, the pods bound to it;
 * record Events. Nothing else.
 */
import { NODE_LEASE_NAMESPACE } from '../../resources/kinds/lease.js';
import { isKind } from '../../resources/objects.js';
import type { ConfigKind } from '../../resources/pod-references.js';
import type { Attributes } from './attributes.js';

/** Whether a pod bound to the node references the ConfigMap or Secret `namespace/name` (the node graph). */
export type NodeReferences = (kind: ConfigKind, namespace: string, name: string) => boolean;

const READS = new Set(['get', 'list', 'watch']);
const READABLE = new Set(['nodes', 'pods', 'services', 'endpoints', 'leases', 'namespaces']);
const EVENT_WRITES = new Set(['create', 'update', 'patch']);
const CONFIG = { secrets: 'Secret', configmaps: 'ConfigMap' } as const;

/** `references` is asked only for a ConfigMap or Secret. */
export function nodeAllows(nodeName: string, a: Attributes, references: NodeReferences = () => false): boolean {
  if (a.resource === 'secrets' || a.resource === 'configmaps') {
    if (a.verb !== 'get' || a.subresource || !a.name || !a.namespace) return false;
    const kind = CONFIG[a.resource];
    return references(kind, a.namespace, a.name);
  }
  if (READS.has(a.verb) && !a.subresource) return READABLE.has(a.resource);
  if (a.resource === 'events') return EVENT_WRITES.has(a.verb) && !a.subresource;
  const own = a.name === nodeName;
  if (a.resource === 'nodes') return own && ['create', 'update', 'patch'].includes(a.verb) && (!a.subresource || a.subresource === 'status');
  if (a.resource === 'leases') return own && a.namespace === NODE_LEASE_NAMESPACE && ['create', 'update', 'patch', 'delete'].includes(a.verb) && !a.subresource;
  if (a.resource === 'pods') {
    const boundHere = a.object !== undefined && isKind(a.object, 'Pod') && a.object.spec.nodeName === nodeName;
    if (a.subresource === 'status') return boundHere && ['update', 'patch'].includes(a.verb);
    if (!a.subresource) return boundHere && a.verb === 'delete';
  }
  return false;
}
