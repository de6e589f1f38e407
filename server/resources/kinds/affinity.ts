/**
 * A pod's `affinity`, as the code reads it. The shape keeps it as JSON (pod affinity and the
 * preferred terms are stored as written, not acted on); what the scheduler, the DaemonSet
 * controller and quota scopes act on is typed here, with Kubernetes' names (core/v1 NodeAffinity).
 */

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
  preferredDuringSchedulingIgnoredDuringExecution?: Array<{ weight?: number; preference?: NodeSelectorTerm }>;
}

/** A pod (anti-)affinity term: pods matching labelSelector, in `namespaces` or those namespaceSelector selects. */
export interface PodAffinityTerm {
  labelSelector?: unknown;
  namespaces?: string[];
  namespaceSelector?: unknown;
  topologyKey?: string;
}

export interface PodAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: Array<{ weight?: number; podAffinityTerm?: PodAffinityTerm }>;
}

export interface Affinity {
  nodeAffinity?: NodeAffinity;
  podAffinity?: PodAffinity;
  podAntiAffinity?: PodAffinity;
}
