/**
 * The ConfigMaps and Secrets a pod references: volumes (configMap, secret, projected sources),
 * then env valueFrom and envFrom of its init and app containers, with the keys they name and
 * whether each is optional. The kubelet (node agents) checks them before starting the pod; the node
 * authorizer lets a node read only the ones its pods reference.
 */
import type { KObject } from './kind.js';

export type ConfigKind = 'ConfigMap' | 'Secret';

export interface ConfigRef {
  kind: ConfigKind;
  name: string;
  /** Keys that must be present (env keyRefs, volume items). */
  keys: string[];
  optional: boolean;
  /** The volume that mounts it; absent for env and envFrom. */
  volume?: string;
}

/** A JSON object. */
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

/** Whether a pod references the ConfigMap or Secret `name` (optional references included: the kubelet reads those too). */
export function references(pod: KObject, kind: ConfigKind, name: string): boolean {
  return configRefs(pod).some((r) => r.kind === kind && r.name === name);
}
