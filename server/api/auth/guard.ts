/** A request's authorization: its identity and the checks resolvers make, failing with FORBIDDEN as Kubernetes words it. */
import { KubeqlError } from '../../errors.js';
import type { Attributes } from './attributes.js';
import type { Authorizer, NamespaceScope } from './authorizer.js';
import { nodeNameOf, type Identity } from './identity.js';
import type { PolicyRule } from './rbac-rules.js';

export interface Guard {
  identity: Identity;
  allows(a: Attributes): boolean;
  /** Passes when any of `alternatives` is allowed (a verb Kubernetes also spells another way); else FORBIDDEN for the first. */
  check(...alternatives: Attributes[]): void;
  namespaces(a: Omit<Attributes, 'namespace' | 'name'>): NamespaceScope;
  /** True for a node, whose rights on a pod depend on the stored pod (its spec.nodeName). */
  decidesOnObject: boolean;
  /** In system:masters: may do anything, grant anything (Kubernetes' EscalationAllowed). */
  privileged: boolean;
  /** The RBAC rules the identity holds in `namespace` (cluster-wide ones included); cluster-wide only without one. */
  rules(namespace?: string): PolicyRule[];
}

function forbidden(identity: Identity, a: Attributes): KubeqlError {
  const what = a.name ? `${a.resource} "${a.name}"` : a.resource;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return new KubeqlError('FORBIDDEN', `${what} is forbidden: User "${identity.name}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${scope}`, {
    verb: a.verb,
    resource,
    namespace: a.namespace,
  });
}

export function createGuard(authorizer: Authorizer, identity: Identity): Guard {
  const allows = (a: Attributes) => authorizer.allows(identity, a);
  return {
    identity,
    allows,
    check(...alternatives) {
      if (!alternatives.some(allows)) throw forbidden(identity, alternatives[0]);
    },
    namespaces: (a) => authorizer.namespaces(identity, a),
    decidesOnObject: nodeNameOf(identity) !== undefined,
    privileged: identity.groups.includes('system:masters'),
    rules: (namespace) => authorizer.rules(identity, namespace),
  };
}
