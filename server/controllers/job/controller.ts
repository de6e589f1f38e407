/**
 * The Job controller, as Kubernetes' (pkg/controller/job) for NonIndexed Jobs: runs up to
 * `parallelism` pods at a time until `completions` succeeded (Complete, reason CompletionsReached),
 * recreating failed ones after an exponential backoff (10 s, 20 s, ... at most 6 min) until more
 * than `backoffLimit` failed (Failed, BackoffLimitExceeded), or until `activeDeadlineSeconds` since
 * startTime passed (Failed, DeadlineExceeded); a finished Job's remaining pods are deleted, and
 * `ttlSecondsAfterFinished` after it finished the Job itself is deleted (foreground, as the
 * TTL-after-finished controller does). Counts come from the pods the Job owns (the finalizer-based
 * tracking of Kubernetes is not done: a finished pod deleted by hand is no longer counted).
 * `suspend` deletes the running pods (condition Suspended); resuming restarts the clock.
 * podReplacementPolicy TerminatingOrFailed replaces a terminating pod at once, Failed once it is gone.
 * Creates carry requestIds derived from the view (`job/<uid>/<resourceVersion>/<salt>/<n>`), as the
 * ReplicaSet's do, so a retry or a restart never makes a pod twice.
 */
import type { Job, Pod } from '../../resources/objects.js';
import { claimObjects } from '../framework/controller-ref.js';
import { createObject } from '../create-object.js';
import { Expectations } from '../framework/expectations.js';
import { labelMatcher } from '../framework/label-selector-match.js';
import type { ControllerFactory } from '../framework/manager.js';
import { deleteObject, getObject, updateObjectStatus } from '../framework/object-requests.js';
import { deletePods, podFromTemplate, slowStartBatch, trackOwnedPods, withTracker } from '../owned-pods.js';
import { requeueAfter, splitKey, startReconciler, type ReconcileResult } from '../framework/reconciler.js';
import { SpentRequestIdError } from '../replicaset/manage-replicas.js';
import { podsToDelete } from '../replicaset/pod-ranking.js';
import {
  countPods,
  countsStatus,
  failure,
  finishedCondition,
  isComplete,
  jobStatus,
  rfc3339,
  statusChanged,
  wantActive,
  withCondition,
  type JobCondition,
  type JobStatus,
  type PodCounts,
} from './job-state.js';

const BURST = 500;
/** DefaultJobPodFailureBackOff (10 s), doubled per failure up to MaxJobPodFailureBackOff (6 min); KUBEQL_JOB_BACKOFF_MS changes the base (tests). */
const BACKOFF_BASE_MS = Number(process.env.KUBEQL_JOB_BACKOFF_MS) || 10_000;
const BACKOFF_MAX_MS = 360_000;

export const jobController: ControllerFactory = (ctx) => {
  const { client } = ctx;
  const recorder = ctx.events('job-controller');
  const pods = ctx.informers.informer('Pod');
  const jobs = ctx.informers.informer('Job');
  const expectations = new Expectations();
  /** Per Job uid: bumped when a create's requestId turns out spent. */
  const salts = new Map<string, number>();
  const tracker = trackOwnedPods({ kind: 'Job', owners: jobs, pods, expectations });

  const ownedPods = (job: Job) =>
    claimObjects({
      owner: job,
      objects: pods.cache.byIndex('namespace', job.metadata.namespace ?? ''),
      selects: labelMatcher(job.spec.selector),
      client,
      fetchOwner: () => getObject(client, 'Job', job.metadata.namespace, job.metadata.name),
    });

  const removePod = (pod: Pod) => deleteObject(client, pod);

  /** Creates or deletes pods toward wantActive; returns the first error, or when to look again (the failure backoff). */
  async function manage(key: string, job: Job, owned: Pod[], counts: PodCounts, observedRevision: number, now: number): Promise<{ error?: Error; requeueAfterMs?: number }> {
    const want = wantActive(job, counts);
    // podReplacementPolicy Failed: a terminating pod is replaced only once it is gone.
    const active = counts.active.length + (job.spec.podReplacementPolicy === 'Failed' ? counts.terminating : 0);
    if (active > want && counts.active.length === 0) return {};
    if (active > want) return { error: await deletePods(key, podsToDelete(counts.active, Math.min(counts.active.length, active - want)), expectations, removePod) };
    if (active === want) return {};
    if (counts.failed > 0 && counts.lastFailure !== undefined) {
      const delay = Math.min(BACKOFF_BASE_MS * 2 ** (counts.failed - 1), BACKOFF_MAX_MS);
      if (now < counts.lastFailure + delay) return { requeueAfterMs: counts.lastFailure + delay - now };
    }
    const count = Math.min(want - active, BURST);
    const uid = job.metadata.uid;
    const salt = salts.get(uid) ?? 0;
    const input = podFromTemplate(job, job.spec.template);
    expectations.expectCreations(key, count);
    const { successes, error } = await slowStartBatch(count, async (i) => {
      const pod = await createObject(client, 'Pod', input, `job/${uid}/${job.metadata.resourceVersion}/${salt}/${owned.length + i}`);
      if (Number(pod.metadata.resourceVersion) <= observedRevision)
        throw new SpentRequestIdError(`request id for pod ${owned.length + i} of ${key} was answered with ${pod.metadata.name}, made earlier`);
      recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
    });
    for (let i = successes; i < count; i++) expectations.creationObserved(key);
    if (error instanceof SpentRequestIdError) salts.set(uid, salt + 1);
    return { error };
  }

  /** A finished Job: its leftover pods go; after ttlSecondsAfterFinished, the Job goes. */
  async function finished(key: string, job: Job, done: JobCondition, now: number): Promise<ReconcileResult | undefined> {
    if (job.metadata.deletionTimestamp) return;
    const counts = countPods(await ownedPods(job));
    if (expectations.satisfied(key)) {
      const error = await deletePods(key, counts.active, expectations, removePod);
      if (error) throw error;
    }
    // The pods it deleted finish terminating: ready and terminating follow them.
    const next = { ...jobStatus(job), ready: counts.ready, terminating: counts.terminating + counts.active.length };
    // Written, the Job's change brings it back here for its TTL.
    if (statusChanged(job, next)) {
      await updateObjectStatus(client, job, next, job.metadata.resourceVersion);
      return;
    }
    const ttl = job.spec.ttlSecondsAfterFinished;
    if (ttl === undefined || ttl === null) return;
    const finishedAt = Date.parse(jobStatus(job).completionTime ?? done.lastTransitionTime ?? '');
    const expireAt = (Number.isFinite(finishedAt) ? finishedAt : now) + ttl * 1000;
    if (now < expireAt) return requeueAfter(expireAt - now);
    await deleteObject(client, job, { propagationPolicy: 'Foreground', resourceVersion: job.metadata.resourceVersion });
  }

  async function sync(key: string): Promise<ReconcileResult | undefined> {
    const { namespace, name } = splitKey(key);
    const job = jobs.cache.get(namespace, name);
    if (!job) {
      expectations.delete(key);
      return;
    }
    const now = Date.now();
    const done = finishedCondition(job);
    if (done) return finished(key, job, done, now);
    if (job.metadata.deletionTimestamp) return;

    const spec = job.spec;
    const needsSync = expectations.satisfied(key);
    const observedRevision = pods.revision();
    const owned = await ownedPods(job);
    const counts = countPods(owned);
    const current = jobStatus(job);
    const next: JobStatus = { ...current };
    for (const field of ['active', 'succeeded', 'failed'] as const) delete next[field];
    Object.assign(next, countsStatus(counts));
    // Suspended: condition Suspended (JobSuspended); resumed: Suspended False (JobResumed) and a new startTime.
    const suspended = current.conditions?.find((c) => c.type === 'Suspended');
    if (spec.suspend && suspended?.status !== 'True') next.conditions = withCondition(next.conditions, 'Suspended', 'JobSuspended', 'Job suspended', now);
    if (!spec.suspend && suspended?.status === 'True') {
      next.conditions = withCondition(next.conditions, 'Suspended', 'JobResumed', 'Job resumed', now).map((c) => (c.type === 'Suspended' ? { ...c, status: 'False' } : c));
      delete next.startTime;
    }
    if (!spec.suspend && !next.startTime) next.startTime = rfc3339(now);
    const startTime = Date.parse(next.startTime ?? '') || now;

    let error: Error | undefined;
    let backoffMs: number | undefined;
    const failed = spec.suspend ? undefined : failure(job, counts, startTime, now);
    if (failed) {
      if (needsSync) error = await deletePods(key, counts.active, expectations, removePod);
      next.conditions = withCondition(next.conditions, 'Failed', failed.reason, failed.message, now);
      // The deleted pods are terminating now, no longer active.
      if (counts.active.length) next.terminating = counts.terminating + counts.active.length;
      delete next.active;
    } else if (isComplete(job, counts)) {
      if (needsSync) error = await deletePods(key, counts.active, expectations, removePod);
      if (!finishedCondition(job)) recorder.event(job, 'Normal', 'Completed', 'Job completed');
      next.conditions = withCondition(next.conditions, 'Complete', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
      next.completionTime = rfc3339(now);
    } else if (needsSync) {
      ({ error, requeueAfterMs: backoffMs } = await manage(key, job, owned, counts, observedRevision, now));
    }

    if (statusChanged(job, next)) await updateObjectStatus(client, job, next, job.metadata.resourceVersion);
    if (error) throw error;
    // Look again when the failure backoff ends, and when activeDeadlineSeconds runs out.
    const deadline = spec.activeDeadlineSeconds;
    const deadlineMs = !failed && !spec.suspend && deadline !== undefined && deadline !== null ? Math.max(0, startTime + deadline * 1000 - now) + 1 : undefined;
    return requeueAfter(backoffMs, deadlineMs);
  }

  const reconciler = startReconciler({
    name: 'job',
    primary: jobs,
    secondary: [{ informer: pods, keys: tracker.podKeys }],
    reconcile: sync,
  });
  return withTracker(reconciler, tracker);
};
