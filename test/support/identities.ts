/** Test identities: a ServiceAccount with the given roles bound, and its token, made through the public API as admin. */
import type { TestApi } from './api.js';

export interface RoleGrant {
  /** A namespace (Role + RoleBinding, or ClusterRole + RoleBinding with `clusterRole`), or '*' (ClusterRole + ClusterRoleBinding). */
  namespace: string;
  rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }>;
  /** Bind a ClusterRole inside `namespace` with a RoleBinding (Kubernetes' way to reuse a ClusterRole in one namespace). */
  clusterRole?: boolean;
}

const APPLY = `mutation($m: String!) { apply(manifests: $m) { revision } }`;

export async function makeIdentity(api: TestApi, name: string, grants: RoleGrant[], saNamespace = 'default'): Promise<string> {
  const docs: unknown[] = [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: saNamespace } }];
  grants.forEach((g, i) => {
    const roleName = `${name}-${i}`;
    const cluster = g.namespace === '*' || g.clusterRole;
    docs.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: cluster ? 'ClusterRole' : 'Role',
      metadata: cluster ? { name: roleName } : { name: roleName, namespace: g.namespace },
      rules: g.rules,
    });
    docs.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: g.namespace === '*' ? 'ClusterRoleBinding' : 'RoleBinding',
      metadata: g.namespace === '*' ? { name: roleName } : { name: roleName, namespace: g.namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: cluster ? 'ClusterRole' : 'Role', name: roleName },
      subjects: [{ kind: 'ServiceAccount', name, namespace: saNamespace }],
    });
  });
  await api.ok(APPLY, { m: docs.map((d) => JSON.stringify(d)).join('\n---\n') });
  const res = await api.ok(`mutation($ns: String!, $n: String!) { createServiceAccountToken(namespace: $ns, name: $n) { token } }`, { ns: saNamespace, n: name });
  return res.createServiceAccountToken.token;
}
