/**
 * What a kubelet checks before it starts a pod's containers: the ConfigMaps and Secrets the pod
 * names in volumes (checked first: the volume mount, FailedMount) and in env/envFrom (then:
 * CreateContainerConfigError), each unless marked optional, with the keys it names. Messages are
 * worded as the kubelet words them.
 */
import type { KubeqlClient } from '../client/client.js';
import type { KObject } from '../resources/kind.js';

type ConfigKind = 'ConfigMap' | 'Secret';

export interface ConfigRef {
  kind: ConfigKind;
  name: string;
  /** Keys that must be present (env keyRefs, volume items). */
  keys: string[];
  optional: boolean;
  /** The volume that mounts it; absent for env and envFrom. */
  volume?: string;
}

export interface ConfigProblem {
  /** FailedMount (a volume) or CreateContainerConfigError (env). */
  reason: 'FailedMount' | 'CreateContainerConfigError';
  message: string;
}

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const itemKeys = (items: unknown) => list(items).map((i) => String(i.key ?? '')).filter(Boolean);

/** Every ConfigMap and Secret the pod references, volumes first. */
export function configRefs(pod: KObject): ConfigRef[] {
  const spec = (pod.spec ?? {}) as Obj;
  const refs: ConfigRef[] = [];
  for (const v of list(spec.volumes)) {
    const volume = String(v.name ?? '');
    if (isObj(v.configMap) && v.configMap.name) refs.push({ kind: 'ConfigMap', name: String(v.configMap.name), keys: itemKeys(v.configMap.items), optional: v.configMap.optional === true, volume });
    if (isObj(v.secret) && v.secret.secretName) refs.push({ kind: 'Secret', name: String(v.secret.secretName), keys: itemKeys(v.secret.items), optional: v.secret.optional === true, volume });
    for (const source of list(isObj(v.projected) ? v.projected.sources : undefined)) {
      if (isObj(source.configMap) && source.configMap.name) refs.push({ kind: 'ConfigMap', name: String(source.configMap.name), keys: itemKeys(source.configMap.items), optional: source.configMap.optional === true, volume });
      if (isObj(source.secret) && source.secret.name) refs.push({ kind: 'Secret', name: String(source.secret.name), keys: itemKeys(source.secret.items), optional: source.secret.optional === true, volume });
    }
  }
  for (const c of [...list(spec.initContainers), ...list(spec.containers)]) {
    for (const e of list(c.envFrom)) {
      if (isObj(e.configMapRef) && e.configMapRef.name) refs.push({ kind: 'ConfigMap', name: String(e.configMapRef.name), keys: [], optional: e.configMapRef.optional === true });
      if (isObj(e.secretRef) && e.secretRef.name) refs.push({ kind: 'Secret', name: String(e.secretRef.name), keys: [], optional: e.secretRef.optional === true });
    }
    for (const e of list(c.env)) {
      const from = isObj(e.valueFrom) ? e.valueFrom : {};
      if (isObj(from.configMapKeyRef) && from.configMapKeyRef.name)
        refs.push({ kind: 'ConfigMap', name: String(from.configMapKeyRef.name), keys: from.configMapKeyRef.key ? [String(from.configMapKeyRef.key)] : [], optional: from.configMapKeyRef.optional === true });
      if (isObj(from.secretKeyRef) && from.secretKeyRef.name)
        refs.push({ kind: 'Secret', name: String(from.secretKeyRef.name), keys: from.secretKeyRef.key ? [String(from.secretKeyRef.key)] : [], optional: from.secretKeyRef.optional === true });
    }
  }
  return refs;
}

const READ = {
  ConfigMap: `query($ns: String!, $n: String!) { o: configMap(namespace: $ns, name: $n) { data binaryData } }`,
  Secret: `query($ns: String!, $n: String!) { o: secret(namespace: $ns, name: $n) { data } }`,
};

/** The keys of one object, or undefined when it does not exist. */
type Lookup = (kind: ConfigKind, namespace: string, name: string) => Promise<Set<string> | undefined>;

export function lookupWith(client: KubeqlClient): Lookup {
  return async (kind, namespace, name) => {
    const res = await client.request<{ o: { data?: Obj | null; binaryData?: Obj | null } | null }>(READ[kind], { ns: namespace, n: name });
    if (!res.o) return undefined;
    return new Set([...Object.keys(res.o.data ?? {}), ...Object.keys(res.o.binaryData ?? {})]);
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
