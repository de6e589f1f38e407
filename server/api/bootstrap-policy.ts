/**
 * The default RBAC policy, written at first start as Kubernetes' bootstrap policy is: cluster-admin
 * for system:masters, view/edit/admin for users, and least-privilege roles for the components,
 * each bound to its own ServiceAccount in kube-system. A node agent needs no role: the node rules
 * decide for system:node:<name> (DESIGN §5). Reconciled at every start (bootstrap-reconcile.ts).
 */
import type { KindDef } from '../resources/kind.js';
import { kinds } from '../resources/registry.js';
import { apiGroupOf } from './auth/attributes.js';
import { AUTOUPDATE } from './bootstrap-reconcile.js';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'scale'];
const RBAC_RESOURCES = new Set(['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings']);

/** One rule per API group, over the given kinds' resources (and subresources). */
function rules(selected: KindDef[], verbs: string[], subresources: string[] = []) {
  const byGroup = new Map<string, string[]>();
  for (const k of selected) byGroup.set(apiGroupOf(k), [...(byGroup.get(apiGroupOf(k)) ?? []), k.resource, ...subresources.map((s) => `${k.resource}/${s}`)]);
  return [...byGroup].map(([group, resources]) => ({ apiGroups: [group], resources, verbs }));
}

const namespacedWorkloads = () => kinds.filter((k) => k.namespaced && !RBAC_RESOURCES.has(k.resource) && k.resource !== 'resourcequotas');
const byResource = (...names: string[]) => kinds.filter((k) => names.includes(k.resource));

export interface PolicyObject {
  kind: 'ClusterRole' | 'ClusterRoleBinding' | 'ServiceAccount';
  manifest: Record<string, unknown>;
}

/** As Kubernetes' bootstrap policy: labelled, and reconciled at every start unless an operator sets autoupdate "false" (bootstrap-reconcile.ts). */
const policyMeta = (name: string) => ({ name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, annotations: { [AUTOUPDATE]: 'true' } });
const clusterRole = (name: string, rules: unknown[]): PolicyObject => ({ kind: 'ClusterRole', manifest: { metadata: policyMeta(name), rules } });
const binding = (name: string, role: string, subject: Record<string, string>): PolicyObject => ({
  kind: 'ClusterRoleBinding',
  manifest: {
    metadata: policyMeta(name),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [subject],
  },
});
const serviceAccount = (name: string): PolicyObject => ({ kind: 'ServiceAccount', manifest: { metadata: { name, namespace: 'kube-system' } } });
const saSubject = (name: string) => ({ kind: 'ServiceAccount', name, namespace: 'kube-system' });

/** The component service accounts `npm start` issues tokens for. */
export const COMPONENT_ACCOUNTS = { controllerManager: 'kube-controller-manager', scheduler: 'kube-scheduler', nodeBootstrapper: 'node-bootstrapper' };

export function bootstrapPolicy(): PolicyObject[] {
  // As Kubernetes' `view`: everything but RBAC and Secrets (reading a Secret is reading its credentials); `edit` may read them.
  const view = rules(kinds.filter((k) => !RBAC_RESOURCES.has(k.resource) && k.resource !== 'secrets'), READ);
  const edit = [...view, ...rules(byResource('secrets'), READ), ...rules(namespacedWorkloads(), WRITE, ['status', 'scale'])];
  const admin = [...edit, ...rules(byResource('roles', 'rolebindings'), [...READ, ...WRITE])];
  return [
    clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
    binding('cluster-admin', 'cluster-admin', { kind: 'Group', name: 'system:masters', apiGroup: 'rbac.authorization.k8s.io' }),
    clusterRole('view', view),
    clusterRole('edit', edit),
    clusterRole('admin', admin),
    clusterRole('system:kube-scheduler', [
      ...rules(byResource('pods', 'nodes', 'services', 'replicasets', 'namespaces'), READ),
      ...rules(byResource('pods'), ['bind']),
      ...rules(byResource('events'), ['create', 'patch', 'update']),
      ...rules(byResource('pods'), ['create'], ['binding']).map((r) => ({ ...r, resources: r.resources.filter((x) => x.endsWith('/binding')) })),
      ...rules(byResource('pods'), ['update', 'patch'], ['status']).map((r) => ({ ...r, resources: r.resources.filter((x) => x.endsWith('/status')) })),
    ]),
    clusterRole('system:kube-controller-manager', [
      { apiGroups: ['*'], resources: ['*'], verbs: [...READ, ...WRITE] },
      { apiGroups: ['*'], resources: ['*/status', '*/scale'], verbs: ['update', 'patch'] },
    ]),
    clusterRole('system:node-bootstrapper', [{ apiGroups: [''], resources: ['nodes/token'], verbs: ['create'] }]),
    serviceAccount(COMPONENT_ACCOUNTS.scheduler),
    serviceAccount(COMPONENT_ACCOUNTS.controllerManager),
    serviceAccount(COMPONENT_ACCOUNTS.nodeBootstrapper),
    binding('system:kube-scheduler', 'system:kube-scheduler', saSubject(COMPONENT_ACCOUNTS.scheduler)),
    binding('system:kube-controller-manager', 'system:kube-controller-manager', saSubject(COMPONENT_ACCOUNTS.controllerManager)),
    binding('system:node-bootstrapper', 'system:node-bootstrapper', saSubject(COMPONENT_ACCOUNTS.nodeBootstrapper)),
  ];
}
