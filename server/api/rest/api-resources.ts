/**
 * The REST API's resources as discovery describes them, from the registry of kinds: group,
 * version, plural, kind, scope, verbs, short names, categories and subresources; plus the
 * resources the REST API serves that are not stored kinds (SelfSubjectAccessReview).
 */
import type { KindDef } from '../../resources/kind.js';
import { kinds } from '../../resources/registry.js';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface SubresourceInfo {
  name: string;
  kind: GroupVersionKind;
  verbs: string[];
}

export interface ApiResource {
  group: string;
  version: string;
  /** Lower-case plural (`pods`). */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames: string[];
  categories: string[];
  subresources: SubresourceInfo[];
  /** The stored kind, absent for virtual resources (reviews). */
  def?: KindDef;
}

const OBJECT_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
/** Kubernetes' category `all` (kubectl get all): the workload kinds and services. */
const ALL_CATEGORY = new Set(['Pod', 'Service', 'ReplicaSet', 'Deployment', 'ReplicationController', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function subresourcesOf(def: KindDef, group: string, version: string): SubresourceInfo[] {
  const own = { group, version, kind: def.kind };
  const subs: SubresourceInfo[] = [];
  if (def.status) subs.push({ name: 'status', kind: own, verbs: ['get', 'patch', 'update'] });
  if (def.scale) subs.push({ name: 'scale', kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] });
  if (def.kind === 'Pod') {
    subs.push({ name: 'binding', kind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] });
    subs.push({ name: 'eviction', kind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] });
    subs.push({ name: 'log', kind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] });
    subs.push({ name: 'exec', kind: { group: '', version: 'v1', kind: 'PodExecOptions' }, verbs: ['create', 'get'] });
    subs.push({ name: 'attach', kind: { group: '', version: 'v1', kind: 'PodAttachOptions' }, verbs: ['create', 'get'] });
    subs.push({ name: 'portforward', kind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' }, verbs: ['create', 'get'] });
  }
  return subs;
}

function fromKind(def: KindDef): ApiResource {
  const { group, version } = splitApiVersion(def.apiVersion);
  return {
    group,
    version,
    resource: def.resource,
    singular: def.kind.toLowerCase(),
    kind: def.kind,
    namespaced: def.namespaced,
    verbs: OBJECT_VERBS,
    shortNames: [...def.shortNames],
    categories: ALL_CATEGORY.has(def.kind) ? ['all'] : [],
    subresources: subresourcesOf(def, group, version),
    def,
  };
}

const SELF_SUBJECT_ACCESS_REVIEW: ApiResource = {
  group: 'authorization.k8s.io',
  version: 'v1',
  resource: 'selfsubjectaccessreviews',
  singular: 'selfsubjectaccessreview',
  kind: 'SelfSubjectAccessReview',
  namespaced: false,
  verbs: ['create'],
  shortNames: [],
  categories: [],
  subresources: [],
};

const SELF_SUBJECT_RULES_REVIEW: ApiResource = {
  ...SELF_SUBJECT_ACCESS_REVIEW,
  resource: 'selfsubjectrulesreviews',
  singular: 'selfsubjectrulesreview',
  kind: 'SelfSubjectRulesReview',
};

export const apiResources: readonly ApiResource[] = [...kinds.map(fromKind), SELF_SUBJECT_ACCESS_REVIEW, SELF_SUBJECT_RULES_REVIEW];

/** `group/version` as Kubernetes spells it (`v1` for the core group). */
export const groupVersion = (group: string, version: string) => (group ? `${group}/${version}` : version);

/** The group versions served, core first, then groups by name. */
export function groupVersions(): Array<{ group: string; version: string }> {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of apiResources) seen.set(groupVersion(r.group, r.version), { group: r.group, version: r.version });
  return [...seen.values()].sort((a, b) => (a.group === b.group ? 0 : a.group === '' ? -1 : b.group === '' ? 1 : a.group.localeCompare(b.group)));
}

export function resourcesOf(group: string, version: string): ApiResource[] {
  return apiResources.filter((r) => r.group === group && r.version === version);
}

export function findResource(group: string, version: string, resource: string): ApiResource | undefined {
  return apiResources.find((r) => r.group === group && r.version === version && r.resource === resource);
}
