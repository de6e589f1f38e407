/**
 * What a kubelet checks before it starts a pod's containers: the ConfigMaps and Secrets the pod
 * names (resources/pod-references.ts) in volumes (checked first: the volume mount, FailedMount) and
 * in env/envFrom (then: CreateContainerConfigError), each unless marked optional, with the keys it
 * names. Messages are worded as the kubelet words them.
 */
import type { KubeqlClient } from '../client/client.js';
import { objectClientOf } from '../client/object-client.js';
import type { KObject } from '../resources/kind.js';
import { configRefs, type ConfigKind } from '../resources/pod-references.js';

export interface ConfigProblem {
  /** FailedMount (a volume) or CreateContainerConfigError (env). */
  reason: 'FailedMount' | 'CreateContainerConfigError';
  message: string;
}


/** The keys of one object, or undefined when it does not exist. */
type Lookup = (kind: ConfigKind, namespace: string, name: string) => Promise<Set<string> | undefined>;

export function lookupWith(client: KubeqlClient): Lookup {
  const objects = objectClientOf(client);
  return async (kind, namespace, name) => {
    const object = await objects.get(kind, { namespace, name });
    if (!object) return undefined;
    const keysOf = (map: unknown) => Object.keys((map as Record<string, unknown> | null | undefined) ?? {});
    return new Set([...keysOf(object.data), ...keysOf((object as { binaryData?: unknown }).binaryData)]);
  };
}

const lower = (kind: ConfigKind) => (kind === 'ConfigMap' ? 'configmap' : 'secret');

/** The first thing that keeps the pod's containers from starting, or undefined when all is there. */
export async function findConfigProblem(pod: KObject, lookup: Lookup): Promise<ConfigProblem | undefined> {
  const namespace = pod.metadata.namespace ?? 'default';
  const seen = new Map<string, Set<string> | undefined>();
  for (const ref of configRefs(pod)) {
    const id = `${ref.kind}/${ref.name}`;
    if (!seen.has(id)) seen.set(id, await lookup(ref.kind, namespace, ref.name));
    const keys = seen.get(id);
    if (ref.optional) continue;
    if (ref.volume !== undefined) {
      const prefix = `MountVolume.SetUp failed for volume "${ref.volume}" : `;
      if (!keys) return { reason: 'FailedMount', message: `${prefix}${lower(ref.kind)} "${ref.name}" not found` };
      const missing = ref.keys.find((k) => !keys.has(k));
      if (missing) return { reason: 'FailedMount', message: `${prefix}${lower(ref.kind)} references non-existent ${ref.kind === 'ConfigMap' ? 'config' : 'secret'} key: ${missing}` };
      continue;
    }
    if (!keys) return { reason: 'CreateContainerConfigError', message: `${lower(ref.kind)} "${ref.name}" not found` };
    const missing = ref.keys.find((k) => !keys.has(k));
    if (missing) return { reason: 'CreateContainerConfigError', message: `couldn't find key ${missing} in ${ref.kind} ${namespace}/${ref.name}` };
  }
  return undefined;
}
