/**
 * The RBAC state an authorizer reads: every Role, ClusterRole, RoleBinding and ClusterRoleBinding,
 * read from the store and rebuilt when a commit touches one of them. Per identity it resolves the
 * rules granted cluster-wide and in each namespace.
 */
import type { KObject } from '../../resources/kind.js';
import type { Store } from '../../store/types.js';
import type { Identity } from './identity.js';
import type { PolicyRule } from './rbac-rules.js';

/** The kinds whose writes change what identities may do. */
export const RBAC_KINDS: ReadonlySet<string> = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

export interface Grants {
  cluster: PolicyRule[];
  byNamespace: Map<string, PolicyRule[]>;
}

function subjectMatches(s: Subject, identity: Identity, bindingNamespace: string): boolean {
  if (s.kind === 'User') return s.name === identity.name;
  if (s.kind === 'Group') return identity.groups.includes(s.name);
  if (s.kind === 'ServiceAccount') return identity.name === `system:serviceaccount:${s.namespace || bindingNamespace}:${s.name}`;
  return false;
}

export function createRbacIndex(store: Store) {
  let stale = true;
  let roles = new Map<string, PolicyRule[]>(); // 'ns/name' for Roles, 'name' for ClusterRoles
  let bindings: KObject[] = [];
  let grantsCache = new Map<string, Grants>();

  store.onCommit((_head, events) => {
    // No events: the store's state jumped (a replica copied afresh); anything may have changed.
    if (events.length === 0 || events.some((e) => RBAC_KINDS.has(e.kind))) stale = true;
  });

  const all = (kind: string) => {
    const items: KObject[] = [];
    let after: { namespace: string; name: string } | undefined;
    for (;;) {
      const page = store.list({ kind, after, limit: 5000 });
      items.push(...page.items);
      if (!page.hasMore) return items;
      const last = page.items.at(-1)!;
      after = { namespace: last.metadata.namespace ?? '', name: last.metadata.name };
    }
  };

  function refresh(): void {
    if (!stale) return;
    stale = false;
    roles = new Map();
    for (const r of all('ClusterRole')) roles.set(r.metadata.name, (r.rules as PolicyRule[]) ?? []);
    for (const r of all('Role')) roles.set(`${r.metadata.namespace}/${r.metadata.name}`, (r.rules as PolicyRule[]) ?? []);
    bindings = [...all('ClusterRoleBinding'), ...all('RoleBinding')];
    grantsCache = new Map();
  }

  return {
    grants(identity: Identity): Grants {
      refresh();
      const key = `${identity.name}\u0000${identity.groups.join(',')}`;
      const cached = grantsCache.get(key);
      if (cached) return cached;
      const grants: Grants = { cluster: [], byNamespace: new Map() };
      for (const b of bindings) {
        const ns = b.metadata.namespace;
        if (!((b.subjects as Subject[] | undefined) ?? []).some((s) => subjectMatches(s, identity, ns ?? ''))) continue;
        const ref = b.roleRef as { kind: string; name: string };
        const rules = ref.kind === 'Role' ? roles.get(`${ns}/${ref.name}`) : roles.get(ref.name);
        if (!rules) continue;
        if (ns === undefined) grants.cluster.push(...rules);
        else grants.byNamespace.set(ns, [...(grants.byNamespace.get(ns) ?? []), ...rules]);
      }
      grantsCache.set(key, grants);
      return grants;
    },
  };
}

export type RbacIndex = ReturnType<typeof createRbacIndex>;
