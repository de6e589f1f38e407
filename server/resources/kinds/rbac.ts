/**
 * RBAC kinds (rbac.authorization.k8s.io/v1): Role and ClusterRole hold rules, RoleBinding and
 * ClusterRoleBinding grant them to subjects. Real Role manifests apply unchanged.
 */
import type { KindDef } from '../kind.js';
import { arr, kindShape, req, type Infer } from '../shape.js';
import { dns1123SubdomainErrors } from '../validation/names.js';
import { PolicyRule, RoleRef, Subject, aggregationRule, defaultSubjects, validateBinding, validateRoleRefUpdate, validateRules } from './rbac-shapes.js';

const rbac = { apiVersion: 'rbac.authorization.k8s.io/v1', shortNames: [] as string[], nameErrors: dns1123SubdomainErrors, fieldSelectors: [] as string[] };

const API = 'rbac.authorization.k8s.io/v1';
export const RoleShape = kindShape('Role', API, { rules: arr(PolicyRule) });
export const ClusterRoleShape = kindShape('ClusterRole', API, { rules: arr(PolicyRule), aggregationRule });
export const RoleBindingShape = kindShape('RoleBinding', API, { subjects: arr(Subject), roleRef: req(RoleRef) });
export const ClusterRoleBindingShape = kindShape('ClusterRoleBinding', API, { subjects: arr(Subject), roleRef: req(RoleRef) });
export type Role = Infer<typeof RoleShape>;
export type ClusterRole = Infer<typeof ClusterRoleShape>;
export type RoleBinding = Infer<typeof RoleBindingShape>;
export type ClusterRoleBinding = Infer<typeof ClusterRoleBindingShape>;

function pathSegmentErrors(name: string): string[] {
  // Role names are path segments in Kubernetes (system:node is valid): no '/', '%', '.' or '..'.
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return /[/%]/.test(name) ? [`may not contain '/' or '%'`] : [];
}

export const role: KindDef<Role> = {
  ...rbac,
  ...RoleShape,
  resource: 'roles',
  getField: 'role',
  listField: 'roles',
  namespaced: true,
  nameErrors: pathSegmentErrors,
  validate: (o) => validateRules(o, false),
};

export const clusterRole: KindDef<ClusterRole> = {
  ...rbac,
  ...ClusterRoleShape,
  resource: 'clusterroles',
  getField: 'clusterRole',
  listField: 'clusterRoles',
  namespaced: false,
  nameErrors: pathSegmentErrors,
  validate: (o) => validateRules(o, true),
};

export const roleBinding: KindDef<RoleBinding> = {
  ...rbac,
  ...RoleBindingShape,
  resource: 'rolebindings',
  getField: 'roleBinding',
  listField: 'roleBindings',
  namespaced: true,
  nameErrors: pathSegmentErrors,
  applyDefaults: defaultSubjects,
  validate: (o) => validateBinding(o, false),
  validateUpdate: validateRoleRefUpdate,
};

export const clusterRoleBinding: KindDef<ClusterRoleBinding> = {
  ...rbac,
  ...ClusterRoleBindingShape,
  resource: 'clusterrolebindings',
  getField: 'clusterRoleBinding',
  listField: 'clusterRoleBindings',
  namespaced: false,
  nameErrors: pathSegmentErrors,
  applyDefaults: defaultSubjects,
  validate: (o) => validateBinding(o, true),
  validateUpdate: validateRoleRefUpdate,
};
