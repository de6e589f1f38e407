/**
 * What every controller of pods shares (ReplicaSet's pattern, for the workload kinds that own pods
 * directly: Job, DaemonSet, StatefulSet): resolving a pod's controllerRef to an owner in the cache,
 * the owner keys a pod change concerns (its owner; for an orphan, every owner whose selector
 * matches it), expectations observed before the reconciler hears of the change, and the slow-start
 * batches of creates.
 */
import type { Informer, InformerEvent } from '../client/informer.js';
import type { NewObject } from '../client/object-client.js';
import type { KObject } from '../resources/kind.js';
import type { LabelSelector, Pod, PodSpec, PodTemplateSpec } from '../resources/objects.js';
import { controllerOf } from './framework/controller-ref.js';
import type { Expectations } from './framework/expectations.js';
import { ownerKeys, type OwnerKeys } from './framework/owner-keys.js';
import { objectKey, type RunningReconciler } from './framework/reconciler.js';

/** An owner of pods: a workload whose spec has a selector (a Job's may be generated later). */
export type PodOwner = KObject & { spec: { selector?: LabelSelector } };

export interface OwnedPodsOptions<O extends PodOwner> {
  kind: O['kind'];
  owners: Informer<O>;
  pods: Informer<Pod>;
  expectations: Expectations;
}

export interface OwnedPodsTracker<O extends KObject> {
  /** The owner a controllerRef names, if the cache has it with that uid. */
  resolve: OwnerKeys<O>['resolve'];
  /** The owners a pod change concerns (the reconciler's secondary mapping). */
  podKeys(event: InformerEvent<Pod>): string[];
  stop(): void;
}

/**
 * Observes the pods' creations and deletions in `expectations` (subscribed before the reconciler,
 * so it has them before it hears of the change) and forgets an owner's expectations when it goes.
 */
export function trackOwnedPods<O extends PodOwner>({ kind, owners, pods, expectations }: OwnedPodsOptions<O>): OwnedPodsTracker<O> {
  const keys = ownerKeys(owners, kind, (owner) => owner.spec.selector);
  const { resolve } = keys;

  const observeDeletion = (pod: Pod) => {
    const owner = resolve(pod.metadata.namespace, controllerOf(pod));
    if (owner) expectations.deletionObserved(objectKey(owner), objectKey(pod));
  };

  const observer = pods.events$.subscribe((e) => {
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

  return {
    resolve,
    podKeys: keys.keys,
    stop(): void {
      observer.unsubscribe();
      ownerObserver.unsubscribe();
    },
  };
}

/**
 * slowStartBatch: batches of `firstBatch` (default 1), then twice as many each time, run
 * concurrently; stops at the first batch with a failure. Returns the successes, the first error,
 * and the largest batch that succeeded whole (where a caller whose last run failed nowhere may
 * start its next one).
 */
export async function slowStartBatch(
  count: number,
  fn: (index: number) => Promise<void>,
  firstBatch = 1,
): Promise<{ successes: number; error?: Error; largestBatch: number }> {
  let successes = 0;
  let done = 0;
  let largestBatch = 0;
  for (let size = Math.min(count, Math.max(1, firstBatch)); size > 0; size = Math.min(2 * size, count - done)) {
    const results = await Promise.allSettled(Array.from({ length: size }, (_, i) => fn(done + i)));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += size - failures.length;
    if (failures.length > 0) return { successes, error: failures[0].reason as Error, largestBatch };
    largestBatch = Math.max(largestBatch, size);
    done += size;
  }
  return { successes, largestBatch };
}

/** Deletes `victims` under expectations; returns the first error (after lowering the expectation for each delete that failed). */
export async function deletePods<T extends KObject>(
  key: string,
  victims: T[],
  expectations: Expectations,
  remove: (pod: T) => Promise<unknown>,
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
  template: PodTemplateSpec,
  extra: { name?: string; labels?: Record<string, string>; spec?: Partial<PodSpec> } = {},
): NewObject<'Pod'> {
  const meta = template.metadata ?? {};
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
    spec: { ...template.spec, ...extra.spec },
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
