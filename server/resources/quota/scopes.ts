/**
 * Which objects a ResourceQuota covers, as Kubernetes' quota scopes decide: a quota without scopes
 * covers every object in its namespace; `spec.scopes` and `spec.scopeSelector` select pods only
 * (Terminating, NotTerminating, BestEffort, NotBestEffort, PriorityClass, CrossNamespacePodAffinity),
 * so a scoped quota covers no other kind.
 */
import type { KObject } from '../kind.js';
import type { ScopeSelector } from '../kinds/resourcequota.js';
import { isKind, type PodSpec } from '../objects.js';

type ScopeRequirement = NonNullable<ScopeSelector['matchExpressions']>[number];

const isBestEffort = (spec: PodSpec) =>
  [...(spec.containers ?? []), ...(spec.initContainers ?? [])].every(
    (c) => Object.keys(c.resources?.requests ?? {}).length === 0 && Object.keys(c.resources?.limits ?? {}).length === 0,
  );

function crossNamespaceAffinity(spec: PodSpec): boolean {
  const terms = (['podAffinity', 'podAntiAffinity'] as const).flatMap((k) => {
    const a = spec.affinity?.[k];
    return [...(a?.requiredDuringSchedulingIgnoredDuringExecution ?? []), ...(a?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm ?? {})];
  });
  return terms.some((t) => (t.namespaces?.length ?? 0) > 0 || t.namespaceSelector !== undefined);
}

function podMatches(spec: PodSpec, r: ScopeRequirement): boolean {
  switch (r.scopeName) {
    case 'Terminating':
      return spec.activeDeadlineSeconds !== undefined;
    case 'NotTerminating':
      return spec.activeDeadlineSeconds === undefined;
    case 'BestEffort':
      return isBestEffort(spec);
    case 'NotBestEffort':
      return !isBestEffort(spec);
    case 'CrossNamespacePodAffinity':
      return crossNamespaceAffinity(spec);
    case 'PriorityClass': {
      const pc = spec.priorityClassName ?? '';
      if (r.operator === 'In') return (r.values ?? []).includes(pc);
      if (r.operator === 'NotIn') return pc !== '' && !(r.values ?? []).includes(pc);
      if (r.operator === 'DoesNotExist') return pc === '';
      return pc !== '';
    }
    default:
      return false;
  }
}

export function quotaCovers(quota: KObject, kindName: string, object: KObject): boolean {
  const spec = (isKind(quota, 'ResourceQuota') ? quota.spec : undefined) ?? {};
  const requirements: ScopeRequirement[] = [
    ...(spec.scopes ?? []).map((scopeName) => ({ scopeName, operator: 'Exists' as const })),
    ...(spec.scopeSelector?.matchExpressions ?? []),
  ];
  if (requirements.length === 0) return true;
  if (kindName !== 'Pod' || !isKind(object, 'Pod')) return false;
  return requirements.every((r) => {
    const matches = podMatches(object.spec, r.scopeName === 'PriorityClass' ? r : { ...r, operator: 'Exists' });
    return r.scopeName !== 'PriorityClass' && r.operator === 'DoesNotExist' ? !matches : matches;
  });
}
