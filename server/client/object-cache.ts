/** An informer's local cache: objects by namespace/name, with indexes by namespace, owner uid, node name and label. */
import type { KObject } from '../resources/kind.js';
import { isKind } from '../resources/objects.js';

export type IndexName = 'namespace' | 'owner' | 'nodeName' | 'label';

function indexValues(o: KObject): Array<[IndexName, string]> {
  const values: Array<[IndexName, string]> = [['namespace', o.metadata.namespace ?? '']];
  for (const ref of o.metadata.ownerReferences ?? []) values.push(['owner', ref.uid]);
  // A transformed pod (metadata only) has no spec.
  const node = isKind(o, 'Pod') ? (o.spec as Partial<typeof o.spec> | undefined)?.nodeName : undefined;
  if (node) values.push(['nodeName', node]);
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) values.push(['label', `${k}=${v}`]);
  return values;
}

export const keyOf = (o: { metadata: { namespace?: string; name: string } }) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

/**
 * Objects of one kind, typed as `T` (an informer's `ObjectOf<K>`). An index is built the first time
 * it is asked for and kept up to date from then on: a cache nobody queries by index (each simulated
 * kubelet's pods, the scheduler's) holds no index at all. Kept for all four, 1,000 kubelets' caches
 * held a Set for nearly every pod (one namespace, owner and template hash each per node).
 */
export class ObjectCache<T extends KObject = KObject> {
  private readonly objects = new Map<string, T>();
  /** The indexes asked for so far, value → keys. */
  private readonly indexes = new Map<IndexName, Map<string, Set<string>>>();

  get(namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.objects.get(key);
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  get size(): number {
    return this.objects.size;
  }

  /** The indexes built so far (asked for at least once). */
  indexed(): IndexName[] {
    return [...this.indexes.keys()];
  }

  /** Objects whose `index` has `value` (`byIndex('label', 'app=web')`, `byIndex('owner', uid)`). */
  byIndex(index: IndexName, value: string): T[] {
    const keys = (this.indexes.get(index) ?? this.build(index)).get(value);
    return keys ? [...keys].map((k) => this.objects.get(k)!) : [];
  }

  private build(index: IndexName): Map<string, Set<string>> {
    const byValue = new Map<string, Set<string>>();
    this.indexes.set(index, byValue);
    for (const [key, o] of this.objects) this.index(key, o);
    return byValue;
  }

  private index(key: string, o: KObject): void {
    for (const [index, value] of indexValues(o)) {
      const byValue = this.indexes.get(index);
      if (!byValue) continue;
      let keys = byValue.get(value);
      if (!keys) byValue.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  /** Stores `o`; returns the version it replaced. */
  put(o: T): T | undefined {
    const key = keyOf(o);
    const old = this.objects.get(key);
    if (old) this.unindex(key, old);
    this.objects.set(key, o);
    if (this.indexes.size > 0) this.index(key, o);
    return old;
  }

  remove(o: T): T | undefined {
    const key = keyOf(o);
    const old = this.objects.get(key);
    if (old) {
      this.unindex(key, old);
      this.objects.delete(key);
    }
    return old;
  }

  private unindex(key: string, o: KObject): void {
    if (this.indexes.size === 0) return;
    for (const [index, value] of indexValues(o)) {
      const keys = this.indexes.get(index)?.get(value);
      keys?.delete(key);
      if (keys?.size === 0) this.indexes.get(index)!.delete(value);
    }
  }
}
