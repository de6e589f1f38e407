/**
 * Which objects a ResourceQuota covers, as Kubernetes' quota scopes decide: a quota without scopes
 * covers every object in its namespace; `spec.scopes` and `spec.scopeSelector` select pods only
 * (Terminating, NotTerminating, BestEffort, NotBestEffort, PriorityClass, CrossNamespacePodAffinity),
 * so a scoped quota covers no other kind.
 */
import type { KObject } from '../kind.js';

interface ScopeRequirement {
  scopeName: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

interface QuotaSpecLike {
  scopes?: string[];
  scopeSelector?: { matchExpressions?: ScopeRequirement[] };
}

interface PodSpecLike {
  activeDeadlineSeconds?: number;
  priorityClassName?: string;
  containers?: Array<{ resources?: { requests?: object; limits?: object } }>;
  initContainers?: Array<{ resources?: { requests?: object; limits?: object } }>;
  affinity?: Record<string, { requiredDuringSchedulingIgnoredDuringExecution?: AffinityTerm[]; preferredDuringSchedulingIgnoredDuringExecution?: Array<{ podAffinityTerm?: AffinityTerm }> }>;
}

interface AffinityTerm {
  namespaces?: string[];
  namespaceSelector?: object;
}

const isBestEffort = (spec: PodSpecLike) =>
  [...(spec.containers ?? []), ...(spec.initContainers ?? [])].every(
    (c) => Object.keys(c.resources?.requests ?? {}).length === 0 && Object.keys(c.resources?.limits ?? {}).length === 0,
  );

function crossNamespaceAffinity(spec: PodSpecLike): boolean {
  const terms = ['podAffinity', 'podAntiAffinity'].flatMap((k) => {
    const a = spec.affinity?.[k];
    return [...(a?.requiredDuringSchedulingIgnoredDuringExecution ?? []), ...(a?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm ?? {})];
  });
  return terms.some((t) => (t.namespaces?.length ?? 0) > 0 || t.namespaceSelector !== undefined);
}

function podMatches(pod: KObject, r: ScopeRequirement): boolean {
  const spec = pod.spec as PodSpecLike;
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
  const spec = (quota.spec ?? {}) as QuotaSpecLike;
  const requirements: ScopeRequirement[] = [
    ...(spec.scopes ?? []).map((scopeName) => ({ scopeName, operator: 'Exists' as const })),
    ...(spec.scopeSelector?.matchExpressions ?? []),
  ];
  if (requirements.length === 0) return true;
  if (kindName !== 'Pod') return false;
  return requirements.every((r) => {
    const matches = podMatches(object, r.scopeName === 'PriorityClass' ? r : { ...r, operator: 'Exists' });
    return r.scopeName !== 'PriorityClass' && r.operator === 'DoesNotExist' ? !matches : matches;
  });
}
