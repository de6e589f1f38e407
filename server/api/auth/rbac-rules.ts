/** Kubernetes' RBAC rule matching (k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac): verbs, groups, resources, names. */
import type { Attributes } from './attributes.js';

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const has = (list: string[] | undefined, value: string) => (list ?? []).some((v) => v === '*' || v === value);

function resourceMatches(rule: PolicyRule, a: Attributes): boolean {
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return (rule.resources ?? []).some((r) => r === '*' || r === combined || (a.subresource !== undefined && r === `*/${a.subresource}`));
}

export function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!has(rule.verbs, a.verb) || !has(rule.apiGroups, a.apiGroup) || !resourceMatches(rule, a)) return false;
  if (!rule.resourceNames?.length) return true;
  // Names restrict requests about one named object; a list, watch or create is not one (as Kubernetes).
  return a.name !== undefined && !['list', 'watch', 'create'].includes(a.verb) && rule.resourceNames.includes(a.name);
}
