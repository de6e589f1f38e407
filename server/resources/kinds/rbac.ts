/**
 * RBAC kinds (rbac.authorization.k8s.io/v1): Role and ClusterRole hold rules, RoleBinding and
 * ClusterRoleBinding grant them to subjects. Real Role manifests apply unchanged.
 */
import type { KindDef } from '../kind.js';
import { arr, req } from '../shape.js';
import { dns1123SubdomainErrors } from '../validation/names.js';
import { PolicyRule, RoleRef, Subject, aggregationRule, defaultSubjects, validateBinding, validateRoleRefUpdate, validateRules } from './rbac-shapes.js';

const rbac = { apiVersion: 'rbac.authorization.k8s.io/v1', shortNames: [] as string[], nameErrors: dns1123SubdomainErrors, fieldSelectors: [] as string[] };

function pathSegmentErrors(name: string): string[] {
  // Role names are path segments in Kubernetes (system:node is valid): no '/', '%', '.' or '..'.
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return /[/%]/.test(name) ? [`may not contain '/' or '%'`] : [];
}

export const role: KindDef = {
  ...rbac,
  kind: 'Role',
  resource: 'roles',
  getField: 'role',
  listField: 'roles',
  namespaced: true,
  nameErrors: pathSegmentErrors,
  body: { rules: { shape: arr(PolicyRule) } },
  validate: (o) => validateRules(o, false),
};

export const clusterRole: KindDef = {
  ...rbac,
  kind: 'ClusterRole',
  resource: 'clusterroles',
  getField: 'clusterRole',
  listField: 'clusterRoles',
  namespaced: false,
  nameErrors: pathSegmentErrors,
  body: { rules: { shape: arr(PolicyRule) }, aggregationRule: { shape: aggregationRule } },
  validate: (o) => validateRules(o, true),
};

export const roleBinding: KindDef = {
  ...rbac,
  kind: 'RoleBinding',
  resource: 'rolebindings',
  getField: 'roleBinding',
  listField: 'roleBindings',
  namespaced: true,
  nameErrors: pathSegmentErrors,
  body: { subjects: { shape: arr(Subject) }, roleRef: req(RoleRef) },
  applyDefaults: defaultSubjects,
  validate: (o) => validateBinding(o, false),
  validateUpdate: validateRoleRefUpdate,
};

export const clusterRoleBinding: KindDef = {
  ...rbac,
  kind: 'ClusterRoleBinding',
  resource: 'clusterrolebindings',
  getField: 'clusterRoleBinding',
  listField: 'clusterRoleBindings',
  namespaced: false,
  nameErrors: pathSegmentErrors,
  body: { subjects: { shape: arr(Subject) }, roleRef: req(RoleRef) },
  applyDefaults: defaultSubjects,
  validate: (o) => validateBinding(o, true),
  validateUpdate: validateRoleRefUpdate,
};
