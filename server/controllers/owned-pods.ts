/**
 * What every controller of pods shares (ReplicaSet's pattern, for the workload kinds that own pods
 * directly: Job, DaemonSet, StatefulSet): resolving a pod's controllerRef to an owner in the cache,
 * the owner keys a pod change concerns (its owner; for an orphan, every owner whose selector
 * matches it), expectations observed before the reconciler hears of the change, and the slow-start
 * batches of creates.
 */
import type { Informer, InformerEvent } from '../client/informer.js';
import type { NewObject } from '../client/object-client.js';
import type { KObject, OwnerReference } from '../resources/kind.js';
import { controllerOf } from './framework/controller-ref.js';
import type { Expectations } from './framework/expectations.js';
import { labelMatcher } from './framework/label-selector-match.js';
import { objectKey, type RunningReconciler } from './framework/reconciler.js';

export interface OwnedPodsOptions {
  kind: string;
  owners: Informer;
  pods: Informer;
  expectations: Expectations;
}

export function trackOwnedPods({ kind, owners, pods, expectations }: OwnedPodsOptions) {
  const selectorOf = (owner: KObject) => (owner.spec as { selector?: unknown } | undefined)?.selector;

  /** The owner a controllerRef names, if it is in the cache with that uid. */
  const resolve = (namespace: string | undefined, ref: OwnerReference | undefined): KObject | undefined => {
    if (!ref || ref.kind !== kind) return undefined;
    const owner = owners.cache.get(namespace, ref.name);
    return owner?.metadata.uid === ref.uid ? owner : undefined;
  };

  const observeDeletion = (pod: KObject) => {
    const owner = resolve(pod.metadata.namespace, controllerOf(pod));
    if (owner) expectations.deletionObserved(objectKey(owner), objectKey(pod));
  };

  const observer = pods.events$.subscribe((e: InformerEvent) => {
    const pod = e.object;
    if (e.type === 'DELETED' || pod.metadata.deletionTimestamp) {
      observeDeletion(pod);
      if (e.old && controllerOf(e.old)?.uid !== controllerOf(pod)?.uid) observeDeletion(e.old);
      return;
    }
    if (e.type === 'ADDED') {
      const owner = resolve(pod.metadata.namespace, controllerOf(pod));
      if (owner) expectations.creationObserved(objectKey(owner));
    }
  });
  const ownerObserver = owners.events$.subscribe((e) => {
    if (e.type === 'DELETED') expectations.delete(objectKey(e.object));
  });

  /** The owners a pod change concerns. */
  function podKeys(e: InformerEvent): string[] {
    const pod = e.object;
    const ref = controllerOf(pod);
    const keys = new Set<string>();
    const oldRef = e.old && controllerOf(e.old);
    if (oldRef && oldRef.uid !== ref?.uid) {
      const old = resolve(e.old!.metadata.namespace, oldRef);
      if (old) keys.add(objectKey(old));
    }
    if (ref) {
      const owner = resolve(pod.metadata.namespace, ref);
      if (owner) keys.add(objectKey(owner));
    } else if (e.type !== 'DELETED') {
      const labelsChanged = e.type === 'ADDED' || JSON.stringify(e.old?.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {}) || Boolean(oldRef);
      if (labelsChanged)
        for (const owner of owners.cache.byIndex('namespace', pod.metadata.namespace ?? ''))
          if (labelMatcher(selectorOf(owner))(pod.metadata.labels)) keys.add(objectKey(owner));
    }
    return [...keys];
  }

  return {
    resolve,
    podKeys,
    stop(): void {
      observer.unsubscribe();
      ownerObserver.unsubscribe();
    },
  };
}

/** slowStartBatch: batches of 1, 2, 4, ... run concurrently; stops at the first batch with a failure. Returns the successes and the first error. */
export async function slowStartBatch(count: number, fn: (index: number) => Promise<void>): Promise<{ successes: number; error?: Error }> {
  let successes = 0;
  let done = 0;
  for (let size = Math.min(count, 1); size > 0; size = Math.min(2 * size, count - done)) {
    const results = await Promise.allSettled(Array.from({ length: size }, (_, i) => fn(done + i)));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += size - failures.length;
    if (failures.length > 0) return { successes, error: failures[0].reason as Error };
    done += size;
  }
  return { successes };
}

/** Deletes `victims` under expectations; returns the first error (after lowering the expectation for each delete that failed). */
export async function deletePods(
  key: string,
  victims: KObject[],
  expectations: Expectations,
  remove: (pod: KObject) => Promise<unknown>,
): Promise<Error | undefined> {
  if (victims.length === 0) return undefined;
  expectations.expectDeletions(key, victims.map(objectKey));
  const errors: Error[] = [];
  await Promise.all(
    victims.map(async (pod) => {
      try {
        await remove(pod);
      } catch (e) {
        expectations.deletionObserved(key, objectKey(pod));
        errors.push(e as Error);
      }
    }),
  );
  return errors[0];
}

/** The pod a workload makes from its template: generateName or name, labels and annotations, a controller reference to `owner`. */
export function podFromTemplate(
  owner: KObject,
  template: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: unknown } | undefined,
  extra: { name?: string; labels?: Record<string, string>; spec?: Record<string, unknown> } = {},
): NewObject<'Pod'> {
  const meta = template?.metadata ?? {};
  const labels = { ...meta.labels, ...extra.labels };
  return {
    metadata: {
      ...(extra.name ? { name: extra.name } : { generateName: `${owner.metadata.name}-` }),
      namespace: owner.metadata.namespace,
      ...(Object.keys(labels).length ? { labels } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }],
    },
    // The template's spec was validated as a pod spec when the workload was written.
    spec: { ...(template?.spec as NewObject<'Pod'>['spec'] | undefined), ...extra.spec } as NewObject<'Pod'>['spec'],
  };
}

/** A workload controller's reconciler whose stop also ends the owned-pod tracker that feeds it. */
export function withTracker(reconciler: RunningReconciler, tracker: { stop(): void }): RunningReconciler {
  return {
    ...reconciler,
    stop() {
      tracker.stop();
      reconciler.stop();
    },
  };
}
