/**
 * The ReplicaSet controller, as Kubernetes' (pkg/controller/replicaset): keeps `spec.replicas` active
 * pods matching the selector, created from the template with a controller ownerReference; adopts
 * matching orphans, releases owned pods that stopped matching, deletes the surplus in Kubernetes'
 * order, and writes status.replicas/fullyLabeledReplicas/readyReplicas/availableReplicas/
 * observedGeneration when they change. Expectations keep it from acting twice on one observation.
 */
import type { InformerEvent } from '../../client/informer.js';
import { objectClientOf } from '../../client/object-client.js';
import { createLogger } from '../../logging/logger.js';
import type { KObject } from '../../resources/kind.js';
import { kindByName } from '../../resources/registry.js';
import { claimObjects, controllerOf } from '../framework/controller-ref.js';
import { hasCode } from '../create-object.js';
import { Expectations } from '../framework/expectations.js';
import { labelMatcher } from '../framework/label-selector-match.js';
import type { ControllerFactory } from '../framework/manager.js';
import { getObject, updateObjectStatus } from '../framework/object-requests.js';
import { ownerKeys } from '../framework/owner-keys.js';
import { objectKey, splitKey, startReconciler, watches, type ReconcileResult } from '../framework/reconciler.js';
import { SpentRequestIdError, manageReplicas } from './manage-replicas.js';
import { isPodActive, isPodReady } from './pod-conditions.js';
import { calculateStatus, rsSpec, statusUnchanged } from './status.js';

/** Kubernetes' burstReplicas; KUBEQL_REPLICASET_BURST lowers it (tests that need a scale-up to take several rounds). */
const BURST = Number(process.env.KUBEQL_REPLICASET_BURST) || 500;

const log = createLogger('controller-manager').child({ controller: 'replicaset' });

export const replicaSetController: ControllerFactory = (ctx) => {
  const pods = ctx.informers.informer('Pod');
  const replicaSets = ctx.informers.informer('ReplicaSet');
  const recorder = ctx.events('replicaset-controller');
  const rsKind = kindByName('ReplicaSet')!;
  const expectations = new Expectations();
  /** Per ReplicaSet uid: bumped when a create's requestId turns out spent. */
  const salts = new Map<string, number>();
  // A sync's creates (up to burstReplicas at once) go out 25 to a document, which the server commits together.
  const createPod = objectClientOf(ctx.client).batchedCreate('Pod');

  const owners = ownerKeys(replicaSets, 'ReplicaSet', (rs) => rs.spec.selector);
  const resolve = owners.resolve;

  const observeDeletion = (pod: KObject) => {
    const rs = resolve(pod.metadata.namespace, controllerOf(pod));
    if (rs) expectations.deletionObserved(objectKey(rs), objectKey(pod));
  };

  // Expectations are observed before the reconciler hears of the event (subscribed first).
  const observer = pods.events$.subscribe((e: InformerEvent) => {
    const pod = e.object;
    if (e.type === 'DELETED' || pod.metadata.deletionTimestamp) {
      observeDeletion(pod);
      if (e.old && controllerOf(e.old)?.uid !== controllerOf(pod)?.uid) observeDeletion(e.old);
      return;
    }
    if (e.type === 'ADDED') {
      const rs = resolve(pod.metadata.namespace, controllerOf(pod));
      if (rs) expectations.creationObserved(objectKey(rs));
      return;
    }
    // A pod that just turned ready becomes available after minReadySeconds: look again then.
    const rs = resolve(pod.metadata.namespace, controllerOf(pod));
    const minReady = rs ? (rsSpec(rs).minReadySeconds ?? 0) : 0;
    if (rs && minReady > 0 && e.old && !isPodReady(e.old) && isPodReady(pod)) reconciler.queue.addAfter(objectKey(rs), minReady * 1000 + 1);
  });
  const rsObserver = replicaSets.events$.subscribe((e) => {
    if (e.type === 'DELETED') {
      expectations.delete(objectKey(e.object));
      salts.delete(e.object.metadata.uid);
    }
  });

  async function sync(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const rs = replicaSets.cache.get(namespace, name);
    if (!rs) {
      expectations.delete(key);
      return;
    }
    const needsSync = expectations.satisfied(key);
    const selects = labelMatcher(rsSpec(rs).selector);
    const observedRevision = pods.revision();
    const active = pods.cache.byIndex('namespace', namespace ?? '').filter(isPodActive);
    const owned = await claimObjects({
      owner: rs,
      objects: active,
      selects,
      client: ctx.client,
      fetchOwner: () => getObject(ctx.client, rsKind, namespace, name),
    });

    let manageError: Error | undefined;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      const salt = salts.get(rs.metadata.uid) ?? 0;
      manageError = await manageReplicas({ key, rs, pods: owned, client: ctx.client, createPod, expectations, burst: BURST, observedRevision, salt, recorder });
      if (manageError instanceof SpentRequestIdError) salts.set(rs.metadata.uid, salt + 1);
      if (manageError) log.debug({ key, err: manageError }, 'manageReplicas failed');
    }

    // A spent id or an unreachable server is not a failure to report in the status.
    const reported = manageError && !(manageError instanceof SpentRequestIdError) && !hasCode(manageError, 'UNAVAILABLE') ? manageError : undefined;
    const status = calculateStatus(rs, owned, reported);
    let current = rs;
    if (!statusUnchanged(rs, status)) {
      status.observedGeneration = rs.metadata.generation;
      current = await updateObjectStatus(ctx.client, rs, status, rs.metadata.resourceVersion);
    }
    // Ready but not yet available for minReadySeconds: look again when they will be.
    const spec = rsSpec(current);
    const counts = current.status ?? {};
    const replicas = spec.replicas ?? 1;
    if (manageError) throw manageError;
    if ((spec.minReadySeconds ?? 0) > 0 && (counts.readyReplicas ?? 0) === replicas && (counts.availableReplicas ?? 0) !== replicas)
      return { requeueAfterMs: spec.minReadySeconds! * 1000 };
  }

  const reconciler = startReconciler({
    name: 'replicaset',
    primary: replicaSets,
    // addPod/updatePod/deletePod: the ReplicaSets a pod change concerns.
    secondary: [watches(pods, owners.keys)],
    reconcile: sync,
  });
  return {
    ...reconciler,
    stop() {
      observer.unsubscribe();
      rsObserver.unsubscribe();
      reconciler.stop();
    },
  };
};
