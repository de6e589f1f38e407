/** What an authorization decision is about, in Kubernetes' terms: verb, API group, resource[/subresource], namespace, name. */
import type { KObject, KindDef } from '../../resources/kind.js';

export interface Attributes {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  /** Absent for cluster-scoped objects and for requests across all namespaces. */
  namespace?: string;
  name?: string;
  /** The stored object a write targets (the node authorizer looks at its spec.nodeName). */
  object?: KObject;
}

export function apiGroupOf(kind: KindDef): string {
  const slash = kind.apiVersion.indexOf('/');
  return slash < 0 ? '' : kind.apiVersion.slice(0, slash);
}

export function attributesFor(kind: KindDef, verb: string, target: { namespace?: string | null; name?: string; subresource?: string; object?: KObject } = {}): Attributes {
  return {
    verb,
    apiGroup: apiGroupOf(kind),
    resource: kind.resource,
    subresource: target.subresource,
    namespace: kind.namespaced ? (target.namespace ?? undefined) : undefined,
    name: target.name,
    object: target.object,
  };
}
