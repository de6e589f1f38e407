/**
 * Which owners a change of a dependent concerns (controller-runtime's EnqueueRequestForOwner, with
 * Kubernetes' orphan adoption): the owner its controllerRef names (and, when the ref changed, the
 * one it named before), or, for an orphan whose labels changed, every owner whose selector matches
 * it (it may be adopted). Written once for the ReplicaSet controller (pods) and the Deployment
 * controller (ReplicaSets).
 */
import type { Informer, InformerEvent } from '../../client/informer.js';
import type { KObject, OwnerReference } from '../../resources/kind.js';
import { controllerOf } from './controller-ref.js';
import { labelMatcher } from './label-selector-match.js';
import { objectKey } from './reconciler.js';

export interface OwnerKeys<O extends KObject> {
  /** The owner a controllerRef names, if the cache has it with that uid. */
  resolve(namespace: string | undefined, ref: OwnerReference | undefined): O | undefined;
  /** The owners in a dependent's namespace whose selector matches its labels. */
  selecting(dependent: KObject): O[];
  /** The owners' keys a dependent's change concerns. */
  keys(event: InformerEvent<KObject>): string[];
}

export function ownerKeys<O extends KObject>(owners: Informer<O>, ownerKind: string, selectorOf: (owner: O) => unknown): OwnerKeys<O> {
  const resolve = (namespace: string | undefined, ref: OwnerReference | undefined): O | undefined => {
    if (!ref || ref.kind !== ownerKind) return undefined;
    const owner = owners.cache.get(namespace, ref.name);
    return owner?.metadata.uid === ref.uid ? owner : undefined;
  };
  const selecting = (dependent: KObject) =>
    owners.cache.byIndex('namespace', dependent.metadata.namespace ?? '').filter((o) => labelMatcher(selectorOf(o))(dependent.metadata.labels));
  return {
    resolve,
    selecting,
    keys(e) {
      const dependent = e.object;
      const ref = controllerOf(dependent);
      const keys = new Set<string>();
      const oldRef = e.old && controllerOf(e.old);
      if (oldRef && oldRef.uid !== ref?.uid) {
        const old = resolve(dependent.metadata.namespace, oldRef);
        if (old) keys.add(objectKey(old));
      }
      if (ref) {
        const owner = resolve(dependent.metadata.namespace, ref);
        if (owner) keys.add(objectKey(owner));
      } else if (e.type !== 'DELETED') {
        // An orphan: every owner that selects it may want to adopt it.
        const labelsChanged = e.type === 'ADDED' || JSON.stringify(e.old?.metadata.labels ?? {}) !== JSON.stringify(dependent.metadata.labels ?? {}) || Boolean(oldRef);
        if (labelsChanged) for (const owner of selecting(dependent)) keys.add(objectKey(owner));
      }
      return [...keys];
    },
  };
}
