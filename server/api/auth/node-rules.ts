/**
 * What a node agent may do, as Kubernetes' Node authorizer and the system:node role decide it:
 * read what a kubelet and kube-proxy read (ConfigMaps too; a Secret only by name, never listed or
 * watched — Kubernetes narrows that further to the Secrets its pods name); write its own Node and
 * Lease; write the status of, and finally delete, the pods bound to it; record Events. Nothing else.
 */
import type { Attributes } from './attributes.js';

const READS = new Set(['get', 'list', 'watch']);
const READABLE = new Set(['nodes', 'pods', 'services', 'endpoints', 'leases', 'namespaces', 'configmaps']);
const EVENT_WRITES = new Set(['create', 'update', 'patch']);

export function nodeAllows(nodeName: string, a: Attributes): boolean {
  if (a.resource === 'secrets') return a.verb === 'get' && !a.subresource && Boolean(a.name);
  if (READS.has(a.verb) && !a.subresource) return READABLE.has(a.resource);
  if (a.resource === 'events') return EVENT_WRITES.has(a.verb) && !a.subresource;
  const own = a.name === nodeName;
  if (a.resource === 'nodes') return own && ['create', 'update', 'patch'].includes(a.verb) && (!a.subresource || a.subresource === 'status');
  if (a.resource === 'leases') return own && a.namespace === 'kube-node-lease' && ['create', 'update', 'patch', 'delete'].includes(a.verb) && !a.subresource;
  if (a.resource === 'pods') {
    const boundHere = (a.object?.spec as { nodeName?: string } | undefined)?.nodeName === nodeName;
    if (a.subresource === 'status') return boundHere && ['update', 'patch'].includes(a.verb);
    if (!a.subresource) return boundHere && a.verb === 'delete';
  }
  return false;
}
