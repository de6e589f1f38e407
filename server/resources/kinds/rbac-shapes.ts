/** The shapes and rules RBAC kinds share: PolicyRule (Role, ClusterRole), Subject and RoleRef (bindings). */
import { arr, json, obj, req, str } from '../shape.js';
import type { FieldError } from '../validation/field-error.js';
import { childPath } from '../validation/field-error.js';
import { diffPath } from '../validation/diff-path.js';
import type { KObject } from '../kind.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export const PolicyRule = obj('PolicyRule', {
  apiGroups: arr(str()),
  resources: arr(str()),
  verbs: req(arr(str())),
  resourceNames: arr(str()),
  nonResourceURLs: arr(str()),
});

export const Subject = obj('Subject', {
  kind: req(str(['User', 'Group', 'ServiceAccount'])),
  name: req(str()),
  namespace: str(),
  apiGroup: str(),
});

export const RoleRef = obj('RoleRef', {
  apiGroup: req(str()),
  kind: req(str(['Role', 'ClusterRole'])),
  name: req(str()),
});

interface RuleLike {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  nonResourceURLs?: string[];
}

/** As Kubernetes' ValidatePolicyRule: verbs required; resource rules need apiGroups and resources. */
export function validateRules(o: KObject, clusterScoped: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const rules = (o.rules as RuleLike[] | undefined) ?? [];
  rules.forEach((rule, i) => {
    const path = childPath('rules', i);
    if (!rule || typeof rule !== 'object') return;
    if ((rule.verbs ?? []).length === 0) errors.push({ path: childPath(path, 'verbs'), message: 'Required value: verbs must contain at least one value' });
    if (rule.nonResourceURLs?.length) {
      if (!clusterScoped) errors.push({ path: childPath(path, 'nonResourceURLs'), message: 'Invalid value: namespaced rules cannot apply to non-resource URLs' });
      return;
    }
    if (!rule.apiGroups?.length) errors.push({ path: childPath(path, 'apiGroups'), message: 'Required value: resource rules must supply at least one api group' });
    if (!rule.resources?.length) errors.push({ path: childPath(path, 'resources'), message: 'Required value: resource rules must supply at least one resource' });
  });
  return errors;
}

interface SubjectLike {
  kind?: string;
  name?: string;
  namespace?: string;
  apiGroup?: string;
}

/** As Kubernetes' ValidateRoleBindingSubject, and roleRef's apiGroup and kind. */
export function validateBinding(o: KObject, clusterScoped: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const ref = o.roleRef as { apiGroup?: string; kind?: string } | undefined;
  if (ref?.apiGroup !== undefined && ref.apiGroup !== RBAC_GROUP)
    errors.push({ path: 'roleRef.apiGroup', message: `Unsupported value: ${JSON.stringify(ref.apiGroup)}: supported values: "${RBAC_GROUP}"` });
  if (clusterScoped && ref?.kind === 'Role') errors.push({ path: 'roleRef.kind', message: 'Unsupported value: "Role": supported values: "ClusterRole"' });
  ((o.subjects as SubjectLike[] | undefined) ?? []).forEach((s, i) => {
    const path = childPath('subjects', i);
    if (!s || typeof s !== 'object') return;
    if (s.kind === 'ServiceAccount') {
      if (s.apiGroup) errors.push({ path: childPath(path, 'apiGroup'), message: `Unsupported value: ${JSON.stringify(s.apiGroup)}: supported values: ""` });
      if (!s.namespace && clusterScoped) errors.push({ path: childPath(path, 'namespace'), message: 'Required value' });
    } else if ((s.kind === 'User' || s.kind === 'Group') && s.apiGroup !== undefined && s.apiGroup !== RBAC_GROUP)
      errors.push({ path: childPath(path, 'apiGroup'), message: `Unsupported value: ${JSON.stringify(s.apiGroup)}: supported values: "${RBAC_GROUP}"` });
  });
  return errors;
}

/** A binding's roleRef cannot change (Kubernetes: delete and re-create instead). */
export function validateRoleRefUpdate(next: KObject, old: KObject): FieldError[] {
  const d = diffPath(old.roleRef, next.roleRef, 'roleRef');
  return d ? [{ path: 'roleRef', message: 'Invalid value: cannot change roleRef' }] : [];
}

/** Subjects of a User or Group default their apiGroup, as Kubernetes does. */
export function defaultSubjects(o: KObject): void {
  for (const s of (o.subjects as SubjectLike[] | undefined) ?? [])
    if (s && typeof s === 'object' && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup ??= RBAC_GROUP;
}

export const aggregationRule = json;
