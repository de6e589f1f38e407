/**
 * The ReplicaSet controller, as Kubernetes' (pkg/controller/replicaset): keeps `spec.replicas` active
 * pods matching the selector, created from the template with a controller ownerReference; adopts
 * matching orphans, releases owned pods that stopped matching, deletes the surplus in Kubernetes'
 * order, and writes status.replicas/fullyLabeledReplicas/readyReplicas/availableReplicas/
 * observedGeneration when they change. Expectations keep it from acting twice on one observation.
 */
import { objectClientOf } from '../../client/object-client.js';
import { createLogger } from '../../logging/logger.js';
import { claimObjects } from '../framework/controller-ref.js';
import { hasCode } from '../create-object.js';
import { Expectations } from '../framework/expectations.js';
import { labelMatcher } from '../framework/label-selector-match.js';
import type { ControllerFactory } from '../framework/manager.js';
import { getObject, updateObjectStatus } from '../framework/object-requests.js';
import { requeueAfter, splitKey, startReconciler, watches, type ReconcileResult } from '../framework/reconciler.js';
import { trackOwnedPods, withTracker } from '../owned-pods.js';
import { SpentRequestIdError, manageReplicas } from './manage-replicas.js';
import { isPodActive, nextAvailableInMs } from './pod-conditions.js';
import { calculateStatus, statusUnchanged } from './status.js';

/** Kubernetes' burstReplicas; KUBEQL_REPLICASET_BURST lowers it (tests that need a scale-up to take several rounds). */
const BURST = Number(process.env.KUBEQL_REPLICASET_BURST) || 500;

const log = createLogger('controller-manager').child({ controller: 'replicaset' });

export const replicaSetController: ControllerFactory = (ctx) => {
  const pods = ctx.informers.informer('Pod');
  const replicaSets = ctx.informers.informer('ReplicaSet');
  const recorder = ctx.events('replicaset-controller');
  const expectations = new Expectations();
  /** Per ReplicaSet uid: bumped when a create's requestId turns out spent. */
  const salts = new Map<string, number>();
  // A sync's creates (up to burstReplicas at once) go out 25 to a document, which the server commits together.
  const createPod = objectClientOf(ctx.client).batchedCreate('Pod');

  // Expectations are observed before the reconciler hears of a pod's change (subscribed first).
  const tracker = trackOwnedPods({ kind: 'ReplicaSet', owners: replicaSets, pods, expectations });
  const saltObserver = replicaSets.events$.subscribe((e) => {
    if (e.type === 'DELETED') salts.delete(e.object.metadata.uid);
  });

  async function sync(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const rs = replicaSets.cache.get(namespace, name);
    if (!rs) {
      expectations.delete(key);
      return;
    }
    const needsSync = expectations.satisfied(key);
    const selects = labelMatcher(rs.spec.selector);
    const observedRevision = pods.revision();
    const active = pods.cache.byIndex('namespace', namespace ?? '').filter(isPodActive);
    const owned = await claimObjects({
      owner: rs,
      objects: active,
      selects,
      client: ctx.client,
      fetchOwner: () => getObject(ctx.client, 'ReplicaSet', namespace, name),
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
    if (!statusUnchanged(rs, status)) {
      status.observedGeneration = rs.metadata.generation;
      await updateObjectStatus(ctx.client, rs, status, rs.metadata.resourceVersion);
    }
    if (manageError) throw manageError;
    // Pods ready but not yet available for minReadySeconds: look again when the first of them will be.
    return requeueAfter(nextAvailableInMs(owned, rs.spec.minReadySeconds ?? 0, Date.now()));
  }

  const reconciler = startReconciler({
    name: 'replicaset',
    primary: replicaSets,
    // addPod/updatePod/deletePod: the ReplicaSets a pod change concerns.
    secondary: [watches(pods, tracker.podKeys)],
    reconcile: sync,
  });
  return withTracker(reconciler, {
    stop() {
      tracker.stop();
      saltObserver.unsubscribe();
    },
  });
};
