/**
 * Discovery: `/version`, `/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>` as Kubernetes
 * answers them, and the aggregated discovery documents (apidiscovery.k8s.io v2 and v2beta1) that
 * kubectl 1.32 asks for first, all from the registry of kinds (api-resources.ts).
 */
import { apiResources, groupVersion, groupVersions, resourcesOf, type ApiResource } from './api-resources.js';

export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0-kubeql' };

export function versionInfo() {
  return {
    ...KUBERNETES_VERSION,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23',
    compiler: 'kubeql',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

export function apiVersions(serverAddress: string) {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function namedGroups(): Array<{ name: string; versions: string[] }> {
  const groups = new Map<string, string[]>();
  for (const { group, version } of groupVersions()) if (group) groups.set(group, [...(groups.get(group) ?? []), version]);
  return [...groups].map(([name, versions]) => ({ name, versions }));
}

export function apiGroupList() {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: namedGroups().map(({ name, versions }) => {
      const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
      return { name, versions: list, preferredVersion: list[0] };
    }),
  };
}

export function apiGroup(name: string) {
  const group = namedGroups().find((g) => g.name === name);
  if (!group) return undefined;
  const list = group.versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: list, preferredVersion: list[0] };
}

/** APIResourceList of one group version; undefined when not served. */
export function apiResourceList(group: string, version: string) {
  const resources = resourcesOf(group, version);
  if (resources.length === 0) return undefined;
  const scope = (r: ApiResource) => ({ namespaced: r.namespaced });
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupVersion(group, version),
    resources: resources.flatMap((r) => [
      {
        name: r.resource,
        singularName: r.singular,
        ...scope(r),
        kind: r.kind,
        verbs: r.verbs,
        ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
        ...(r.categories.length ? { categories: r.categories } : {}),
      },
      ...r.subresources.map((s) => ({
        name: `${r.resource}/${s.name}`,
        singularName: '',
        ...scope(r),
        ...(s.kind.group !== group || s.kind.version !== version ? { group: s.kind.group, version: s.kind.version } : {}),
        kind: s.kind.kind,
        verbs: s.verbs,
      })),
    ]),
  };
}

export type DiscoveryVersion = 'v2' | 'v2beta1';

/** The aggregated discovery document of `/api` (core) or `/apis` (every named group). */
export function aggregatedDiscovery(core: boolean, version: DiscoveryVersion) {
  const byGroup = new Map<string, Map<string, ApiResource[]>>();
  for (const r of apiResources) {
    if ((r.group === '') !== core) continue;
    const versions = byGroup.get(r.group) ?? new Map<string, ApiResource[]>();
    versions.set(r.version, [...(versions.get(r.version) ?? []), r]);
    byGroup.set(r.group, versions);
  }
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: [...byGroup].map(([group, versions]) => ({
      metadata: group ? { name: group, creationTimestamp: null } : { creationTimestamp: null },
      versions: [...versions].map(([v, resources]) => ({
        version: v,
        resources: resources.map((r) => ({
          resource: r.resource,
          responseKind: { group: r.group, version: r.version, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singular,
          verbs: r.verbs,
          ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
          ...(r.categories.length ? { categories: r.categories } : {}),
          ...(r.subresources.length
            ? { subresources: r.subresources.map((s) => ({ subresource: s.name, responseKind: s.kind, verbs: s.verbs })) }
            : {}),
        })),
        freshness: 'Current',
      })),
    })),
  };
}

/** The aggregated discovery version an Accept header asks for first, if any. */
export function wantsAggregated(accept: string | undefined): DiscoveryVersion | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',').slice(0, 16)) {
    const params = new Map(
      part
        .split(';')
        .slice(1)
        .map((p) => p.trim().split('=') as [string, string]),
    );
    if (params.get('g') === 'apidiscovery.k8s.io' && params.get('as') === 'APIGroupDiscoveryList') {
      const v = params.get('v');
      if (v === 'v2' || v === 'v2beta1') return v;
    }
  }
  return undefined;
}

export const aggregatedContentType = (v: DiscoveryVersion) => `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;
