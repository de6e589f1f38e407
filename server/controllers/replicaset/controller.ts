/**
 * The ReplicaSet controller, as Kubernetes' (pkg/controller/replicaset): keeps `spec.replicas` active
 * pods matching the selector, created from the template with a controller ownerReference; adopts
 * matching orphans, releases owned pods that stopped matching, deletes the surplus in Kubernetes'
 * order, and writes status.replicas/fullyLabeledReplicas/readyReplicas/availableReplicas/
 * observedGeneration when they change. Expectations keep it from deleting twice on one
 * observation; the pods its creates were answered with count until its informer observes them
 * (framework/answered-creations.ts), so a scale-up goes on round after round without waiting for
 * the watch, and a scale-up that keeps succeeding goes on in large batches (the slow start resumes
 * where the last round left it; a create the server refused starts it again from 1, a lost answer
 * or a shed request does not: slow-start-resume.ts). The status is written while a round's creates
 * run, so rounds follow each other as soon as their answers are in.
 */
import { objectClientOf } from '../../client/object-client.js';
import { createLogger } from '../../logging/logger.js';
import type { Pod, ReplicaSet } from '../../resources/objects.js';
import { AnsweredCreations } from '../framework/answered-creations.js';
import { claimObjects, controllerOf } from '../framework/controller-ref.js';
import { Expectations } from '../framework/expectations.js';
import { labelMatcher } from '../framework/label-selector-match.js';
import type { ControllerFactory } from '../framework/manager.js';
import { getObject, updateObjectStatus } from '../framework/object-requests.js';
import { requeueAfter, splitKey, startReconciler, watches, type ReconcileResult } from '../framework/reconciler.js';
import { trackOwnedPods, withTracker } from '../owned-pods.js';
import { SpentRequestIdError, manageReplicas } from './manage-replicas.js';
import { isPodActive, nextAvailableInMs } from './pod-conditions.js';
import { firstBatch, isTransientCreateError, nextResume, type SlowStartResume } from './slow-start-resume.js';
import { calculateStatus, statusUnchanged } from './status.js';

/** Kubernetes' burstReplicas; KUBEQL_REPLICASET_BURST lowers it (tests that need a scale-up to take several rounds). */
const BURST = Number(process.env.KUBEQL_REPLICASET_BURST) || 500;
/** Creates per document (the server allows 30 aliases). */
const CREATES_PER_DOCUMENT = 25;

const log = createLogger('controller-manager').child({ controller: 'replicaset' });

export const replicaSetController: ControllerFactory = (ctx) => {
  const pods = ctx.informers.informer('Pod');
  const replicaSets = ctx.informers.informer('ReplicaSet');
  const recorder = ctx.events('replicaset-controller');
  const expectations = new Expectations();
  /** Per ReplicaSet uid: bumped when a create's requestId turns out spent. */
  const salts = new Map<string, number>();
  /** Per ReplicaSet key: the pods its creates were answered with, until the pod informer has them. */
  const answered = new AnsweredCreations<Pod>();
  /** Per ReplicaSet uid: the batch the next slow start may begin with, after a run whose creates all succeeded. */
  const warm = new Map<string, SlowStartResume>();
  /** Per ReplicaSet key: the ReplicaSet as this controller's last status write answered it, until the cache is as new. */
  const written = new Map<string, ReplicaSet>();
  // A sync's creates go out 25 to a document, which the server commits together, and a whole batch
  // of the slow start (up to burstReplicas) at once: with fewer documents in flight, a batch of 500
  // would go out in waves of a round trip each, and the next batch would wait for the last wave.
  const createPod = objectClientOf(ctx.client).batchedCreate('Pod', { maxBatch: CREATES_PER_DOCUMENT, maxInFlight: Math.ceil(BURST / CREATES_PER_DOCUMENT) });

  // Expectations are observed before the reconciler hears of a pod's change (subscribed first).
  const tracker = trackOwnedPods({ kind: 'ReplicaSet', owners: replicaSets, pods, expectations });
  const saltObserver = replicaSets.events$.subscribe((e) => {
    if (e.type === 'DELETED') {
      salts.delete(e.object.metadata.uid);
      warm.delete(e.object.metadata.uid);
    }
  });

  /** The newer of the cached ReplicaSet and the one this controller's last status write was answered with. */
  function current(key: string, cached: ReplicaSet): ReplicaSet {
    const mine = written.get(key);
    if (mine && mine.metadata.uid === cached.metadata.uid && Number(mine.metadata.resourceVersion) > Number(cached.metadata.resourceVersion)) return mine;
    written.delete(key);
    return cached;
  }

  /** Writes the status `owned` and `error` make, if it differs from `rs`'s; the ReplicaSet as written (or `rs`). */
  async function writeStatus(key: string, rs: ReplicaSet, owned: Pod[], error: Error | undefined): Promise<ReplicaSet> {
    const status = calculateStatus(rs, owned, error);
    if (statusUnchanged(rs, status)) return rs;
    status.observedGeneration = rs.metadata.generation;
    const answer = await updateObjectStatus(ctx.client, rs, status, rs.metadata.resourceVersion);
    written.set(key, answer);
    return answer;
  }

  async function sync(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const cached = replicaSets.cache.get(namespace, name);
    if (!cached) {
      expectations.delete(key);
      answered.delete(key);
      written.delete(key);
      return;
    }
    const rs = current(key, cached);
    const needsSync = expectations.satisfied(key);
    const selects = labelMatcher(rs.spec.selector);
    // The cache and its revision, read together: answers above the revision are the pods it lacks.
    const observedRevision = pods.revision();
    const active = pods.cache.byIndex('namespace', namespace ?? '').filter(isPodActive);
    const made = answered.unobserved(key, observedRevision).filter((p) => controllerOf(p)?.uid === rs.metadata.uid && selects(p.metadata.labels));
    const claimed = await claimObjects({
      owner: rs,
      objects: active,
      selects,
      client: ctx.client,
      fetchOwner: () => getObject(ctx.client, 'ReplicaSet', namespace, name),
    });
    const owned = made.length ? [...claimed, ...made] : claimed;

    // The status counts the pods the sync found, not those it is about to create (as Kubernetes'
    // calculateStatus of the listed pods): it is written while the creates run, so the next round
    // does not wait for it. A ReplicaFailure condition to keep or add waits for the outcome.
    const failing = rs.status?.conditions?.some((c) => c.type === 'ReplicaFailure') ?? false;
    const early = failing ? undefined : writeStatus(key, rs, owned, undefined);
    early?.catch(() => undefined); // awaited below; not unhandled meanwhile

    let manageError: Error | undefined;
    let created = 0;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      const uid = rs.metadata.uid;
      const salt = salts.get(uid) ?? 0;
      const resume = warm.get(uid);
      const result = await manageReplicas({
        key,
        rs,
        pods: owned,
        client: ctx.client,
        createPod,
        expectations,
        burst: BURST,
        firstBatch: firstBatch(resume, Date.now()),
        onCreated: (pod) => answered.add(key, pod),
        observedRevision,
        salt,
        recorder,
      });
      manageError = result.error;
      created = result.created;
      // The doubling goes on from where it stopped, as long as the server refuses nothing.
      const next = nextResume(resume, result, BURST, Date.now());
      if (next) warm.set(uid, next);
      else warm.delete(uid);
      const transient = manageError !== undefined && isTransientCreateError(manageError);
      if (manageError instanceof SpentRequestIdError) salts.set(uid, salt + 1);
      if (manageError)
        log.warn(
          { key, code: (manageError as { code?: string }).code ?? manageError.name, transient, created, err: manageError.message },
          transient ? 'creates failed without a refusal: retrying with backoff, the slow start where it was' : 'a create was refused: retrying with backoff, the slow start from 1',
        );
    }

    // A spent id, an unreachable or busy server is not a failure to report in the status.
    const reported = manageError && !isTransientCreateError(manageError) ? manageError : undefined;
    const latest = early ? await early : rs;
    if (!early || reported) await writeStatus(key, latest, owned, reported);
    if (manageError) throw manageError;
    // Pods made: look again now, counting them from their answers (the next round of a large
    // scale-up, or the status with them), without waiting for the watch to show them.
    // Pods ready but not yet available for minReadySeconds: look again when the first of them will be.
    return requeueAfter(created > 0 ? 0 : undefined, nextAvailableInMs(owned, rs.spec.minReadySeconds ?? 0, Date.now()));
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
