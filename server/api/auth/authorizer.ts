/**
 * The authorizer: system:masters may do anything; a node (system:node:<name>) is decided by the
 * node rules; everyone else by RBAC. Also answers, for row-level lists and watches, the namespaces
 * in which an identity may do a verb.
 */
import type { Store } from '../../store/types.js';
import type { Attributes } from './attributes.js';
import { nodeNameOf, type Identity } from './identity.js';
import { createNodeGraph } from './node-graph.js';
import { nodeAllows } from './node-rules.js';
import { createRbacIndex } from './rbac-index.js';
import { ruleAllows, type PolicyRule } from './rbac-rules.js';

export type NamespaceScope = 'all' | ReadonlySet<string>;

export function createAuthorizer(store: Store) {
  const rbac = createRbacIndex(store);
  const graph = createNodeGraph(store);

  function allows(identity: Identity, a: Attributes): boolean {
    if (identity.groups.includes('system:masters')) return true;
    const node = nodeNameOf(identity);
    if (node !== undefined && nodeAllows(node, a, (kind, namespace, name) => graph.references(node, kind, namespace, name))) return true;
    const grants = rbac.grants(identity);
    if (grants.cluster.some((r) => ruleAllows(r, a))) return true;
    return a.namespace !== undefined && (grants.byNamespace.get(a.namespace) ?? []).some((r) => ruleAllows(r, a));
  }

  return {
    allows,
    /** The RBAC rules `identity` holds in `namespace` (cluster-wide ones included), or cluster-wide only (Kubernetes' RulesFor). */
    rules(identity: Identity, namespace?: string): PolicyRule[] {
      const grants = rbac.grants(identity);
      return namespace === undefined ? grants.cluster : [...grants.cluster, ...(grants.byNamespace.get(namespace) ?? [])];
    },
    /** Where `identity` may `verb` the resource: everywhere, or in these namespaces (possibly none). */
    namespaces(identity: Identity, a: Omit<Attributes, 'namespace' | 'name'>): NamespaceScope {
      if (allows(identity, a)) return 'all';
      const grants = rbac.grants(identity);
      const found = new Set<string>();
      for (const [ns, rules] of grants.byNamespace) if (rules.some((r) => ruleAllows(r, { ...a, namespace: ns }))) found.add(ns);
      return found;
    },
  };
}

export type Authorizer = ReturnType<typeof createAuthorizer>;
