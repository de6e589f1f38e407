/**
 * The StatefulSet controller, as Kubernetes' (pkg/controller/statefulset): pods `<name>-<ordinal>`
 * for ordinals start..start+replicas-1, each with hostname = its name and subdomain = serviceName,
 * so a headless Service's Endpoints carry stable identities.
 * - OrderedReady: creates one pod at a time in ordinal order, each only once every lower one is
 *   Running and Ready (and available for minReadySeconds); scales down from the highest ordinal,
 *   one at a time, only while all others are healthy. Parallel: all at once.
 * - RollingUpdate: from the highest ordinal down to `partition`, deletes one pod of an old revision
 *   at a time, after the ones above it are healthy on the new revision; the controller then makes
 *   it again from the new template. Pods below the partition are (re)made with the current
 *   revision's template. OnDelete: a pod gets the new template only when it is deleted.
 * - Failed or succeeded pods are deleted and made again.
 * Fixed names make creates idempotent (a second create answers ALREADY_EXISTS), so a restart never
 * makes a pod twice. status: replicas, readyReplicas, availableReplicas, currentReplicas,
 * updatedReplicas, currentRevision and updateRevision (controller-revision-hash labels).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Pod, StatefulSetStatus } from '../../resources/objects.js';
import { claimObjects } from '../framework/controller-ref.js';
import { createObject, hasCode } from '../create-object.js';
import { Expectations } from '../framework/expectations.js';
import { labelMatcher } from '../framework/label-selector-match.js';
import type { ControllerFactory } from '../framework/manager.js';
import { deleteObject, getObject, updateObjectStatus } from '../framework/object-requests.js';
import { trackOwnedPods, withTracker } from '../owned-pods.js';
import { objectKey, splitKey, startReconciler, type ReconcileResult } from '../framework/reconciler.js';
import { isPodAvailable, isPodReady, podPhase } from '../replicaset/pod-conditions.js';
import { ordinalOf, revisionOf, statefulSetPod, templateOfRevision, updateRevisionName } from './identity.js';

const isTerminating = (pod: Pod) => Boolean(pod.metadata.deletionTimestamp);
const isFinished = (pod: Pod) => podPhase(pod) === 'Failed' || podPhase(pod) === 'Succeeded';
const isRunningAndReady = (pod: Pod) => podPhase(pod) === 'Running' && isPodReady(pod);

export const statefulSetController: ControllerFactory = (ctx) => {
  const { client } = ctx;
  const recorder = ctx.events('statefulset-controller');
  const pods = ctx.informers.informer('Pod');
  const sets = ctx.informers.informer('StatefulSet');
  const expectations = new Expectations();
  const tracker = trackOwnedPods({ kind: 'StatefulSet', owners: sets, pods, expectations });

  async function sync(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const set = sets.cache.get(namespace, name);
    if (!set) {
      expectations.delete(key);
      return;
    }
    const spec = set.spec;
    const needsSync = expectations.satisfied(key);
    const selects = labelMatcher(spec.selector);
    const owned = (
      await claimObjects({
        owner: set,
        // isMemberOf: only pods named for this set are its pods.
        objects: pods.cache.byIndex('namespace', namespace ?? '').filter((p) => ordinalOf(set, p) >= 0),
        selects,
        client,
        fetchOwner: () => getObject(client, 'StatefulSet', namespace, name),
      })
    ).sort((a, b) => ordinalOf(set, a) - ordinalOf(set, b));

    const now = Date.now();
    const minReady = spec.minReadySeconds ?? 0;
    const healthy = (pod: Pod) => isRunningAndReady(pod) && isPodAvailable(pod, minReady, now) && !isTerminating(pod);
    const start = spec.ordinals?.start ?? 0;
    const count = spec.replicas ?? 1;
    const updateRevision = updateRevisionName(set);
    const status: StatefulSetStatus = set.status ?? {};
    const currentRevision = status.currentRevision || updateRevision;
    const monotonic = spec.podManagementPolicy !== 'Parallel';
    const rolling = (spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    const partition = rolling ? (spec.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;

    const replicas: Array<Pod | undefined> = Array.from({ length: count }, () => undefined);
    const condemned: Pod[] = [];
    for (const pod of owned) {
      const i = ordinalOf(set, pod) - start;
      if (i >= 0 && i < count) replicas[i] = pod;
      else condemned.push(pod);
    }
    condemned.reverse(); // highest ordinal first

    /** newVersionedStatefulSetPod: below the partition, the current revision (while a pod of it is left to copy); else the update revision. */
    const podFor = (i: number) => {
      if (rolling && i < partition && currentRevision !== updateRevision) {
        const template = templateOfRevision(owned, currentRevision);
        if (template) return statefulSetPod(set, template, start + i, currentRevision);
      }
      return statefulSetPod(set, spec.template, start + i, updateRevision);
    };

    // One round of updateStatefulSet: what to create and delete, stopping where OrderedReady must wait.
    const creates: number[] = [];
    const deletes: Pod[] = [];
    plan: if (needsSync && !set.metadata.deletionTimestamp) {
      for (let i = 0; i < count; i++) {
        const pod = replicas[i];
        if (!pod) {
          creates.push(i);
          if (monotonic) break plan;
          continue;
        }
        if (isFinished(pod) && !isTerminating(pod)) {
          deletes.push(pod);
          if (monotonic) break plan;
          continue;
        }
        if (monotonic && !healthy(pod)) break plan;
      }
      const firstUnhealthy = [...replicas, ...condemned].find((p) => p && !healthy(p));
      for (const pod of condemned) {
        if (isTerminating(pod)) {
          if (monotonic) break plan;
          continue;
        }
        if (monotonic && firstUnhealthy && firstUnhealthy !== pod) break plan;
        deletes.push(pod);
        if (monotonic) break plan;
      }
      if (!rolling || creates.length || deletes.length) break plan;
      for (let i = count - 1; i >= partition; i--) {
        const pod = replicas[i]!;
        if (revisionOf(pod) !== updateRevision && !isTerminating(pod)) {
          deletes.push(pod);
          break plan;
        }
        if (!healthy(pod)) break plan;
      }
    }

    let error: Error | undefined;
    if (creates.length || deletes.length) {
      expectations.expect(key, creates.length, deletes.map(objectKey));
      const results = await Promise.allSettled([
        ...deletes.map(async (pod) => {
          try {
            await deleteObject(client, pod);
          } catch (e) {
            expectations.deletionObserved(key, objectKey(pod));
            throw e;
          }
        }),
        ...creates.map(async (i) => {
          try {
            const pod = await createObject(client, 'Pod', podFor(i));
            recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
          } catch (e) {
            expectations.creationObserved(key);
            // Made already (the cache is behind): nothing more to do for it.
            if (!hasCode(e, 'ALREADY_EXISTS')) throw e;
          }
        }),
      ]);
      error = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason as Error | undefined;
    }

    // updateStatefulSetStatus, from the pods as this round found them.
    let created = 0, ready = 0, available = 0, current = 0, updated = 0;
    for (const pod of owned) {
      created++;
      if (isRunningAndReady(pod)) {
        ready++;
        if (isPodAvailable(pod, minReady, now)) available++;
      }
      if (!isTerminating(pod)) {
        if (revisionOf(pod) === currentRevision) current++;
        if (revisionOf(pod) === updateRevision) updated++;
      }
    }
    const next: StatefulSetStatus = {
      ...status,
      observedGeneration: set.metadata.generation,
      replicas: created,
      availableReplicas: available,
      currentRevision,
      updateRevision,
      collisionCount: status.collisionCount ?? 0,
    };
    for (const [field, value] of [['readyReplicas', ready], ['currentReplicas', current], ['updatedReplicas', updated]] as const) {
      if (value) next[field] = value;
      else delete next[field];
    }
    // completeRollingUpdate: every pod updated and ready, the update revision becomes the current one.
    if (rolling && updated === created && ready === created && created === count) {
      next.currentRevision = updateRevision;
      if (updated) next.currentReplicas = updated;
    }
    if (!isDeepStrictEqual(next, set.status)) await updateObjectStatus(client, set, next, set.metadata.resourceVersion);
    if (error) throw error;
    // Pods still counting their minReadySeconds: look again when they become available.
    return minReady > 0 && ready !== available ? { requeueAfterMs: minReady * 1000 } : undefined;
  }

  const reconciler = startReconciler({
    name: 'statefulset',
    primary: sets,
    secondary: [{ informer: pods, keys: tracker.podKeys }],
    reconcile: sync,
  });
  return withTracker(reconciler, tracker);
};
