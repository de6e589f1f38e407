/** What the scheduler needs to know about a pod, computed once per scheduling attempt (requests, owner, constraints). */
import type { NodeSelectorRequirement, NodeSelectorTerm } from '../resources/kinds/affinity.js';
import type { KObject } from '../resources/kind.js';
import type { Pod } from '../resources/objects.js';
import { podRequests, type Resources } from './resources.js';

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
}

export type { NodeSelectorRequirement, NodeSelectorTerm };

/**
 * Derived once and held for every pod placed on a node: it keeps no reference to the pod itself,
 * so the scheduler holds one version of each bound pod (its informer's), not also the one it was
 * first seen in.
 */
export interface PodInfo {
  /** namespace/name */
  key: string;
  requests: Resources;
  /** Requests with the scoring defaults for containers that ask for nothing. */
  nonZeroRequests: Resources;
  /** The uid of the controller that owns it (ReplicaSet, ...), for spreading. */
  owner?: string;
  nodeName?: string;
  nodeSelector: Array<[string, string]>;
  /** requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms; undefined when the pod has none. */
  requiredTerms?: NodeSelectorTerm[];
  tolerations: Toleration[];
}

export const podKey = (pod: KObject) => `${pod.metadata.namespace}/${pod.metadata.name}`;

/** The controller owner reference's uid (the first owner if none is marked controller). */
export function ownerOf(pod: KObject): string | undefined {
  const refs = pod.metadata.ownerReferences ?? [];
  return (refs.find((r) => r.controller) ?? refs[0])?.uid;
}

export function podInfo(pod: Pod): PodInfo {
  const spec = pod.spec;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return {
    key: podKey(pod),
    requests: podRequests(pod),
    nonZeroRequests: podRequests(pod, true),
    owner: ownerOf(pod),
    nodeName: spec.nodeName || undefined,
    nodeSelector: Object.entries(spec.nodeSelector ?? {}),
    requiredTerms: required ? (Array.isArray(required.nodeSelectorTerms) ? required.nodeSelectorTerms : []) : undefined,
    tolerations: Array.isArray(spec.tolerations) ? spec.tolerations : [],
  };
}
