/**
 * A Job's state as its controller judges it from the pods it owns (pkg/controller/job): counts,
 * how many pods it wants active, whether it has finished or must fail, and the status it writes.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Job, JobCondition, JobStatus, Pod } from '../../resources/objects.js';
import { isPodReady, podPhase } from '../replicaset/pod-conditions.js';

export type { JobCondition, JobStatus };

export const jobStatus = (job: Job): JobStatus => job.status ?? {};

/** RFC 3339 at second precision, as Kubernetes writes times. */
export const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

export const finishedCondition = (job: Job) => jobStatus(job).conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');

export interface PodCounts {
  /** Not finished and not being deleted. */
  active: Pod[];
  succeeded: number;
  failed: number;
  ready: number;
  terminating: number;
  /** When the newest failed pod finished (ms), for the backoff. */
  lastFailure?: number;
}

function finishedAt(pod: Pod): number | undefined {
  const statuses = pod.status?.containerStatuses ?? [];
  const times = statuses.map((s) => Date.parse(s.state?.terminated?.finishedAt ?? '')).filter((t) => Number.isFinite(t));
  return times.length ? Math.max(...times) : undefined;
}

function containerRestarts(pod: Pod): number {
  const status = pod.status ?? {};
  const all = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
  return all.reduce((sum, s) => sum + (s.restartCount ?? 0), 0);
}

export function countPods(pods: Pod[]): PodCounts {
  const counts: PodCounts = { active: [], succeeded: 0, failed: 0, ready: 0, terminating: 0 };
  for (const pod of pods) {
    const phase = podPhase(pod);
    if (phase === 'Succeeded') counts.succeeded++;
    else if (phase === 'Failed') {
      counts.failed++;
      const at = finishedAt(pod) ?? Date.parse(pod.metadata.creationTimestamp);
      if (Number.isFinite(at)) counts.lastFailure = Math.max(counts.lastFailure ?? 0, at);
    } else if (pod.metadata.deletionTimestamp) counts.terminating++;
    else {
      counts.active.push(pod);
      if (isPodReady(pod)) counts.ready++;
    }
  }
  return counts;
}

/** How many pods the Job wants running now (wantActive in syncJob). */
export function wantActive(job: Job, counts: PodCounts): number {
  const spec = job.spec;
  if (spec.suspend) return 0;
  const parallelism = spec.parallelism ?? 1;
  if (spec.completions === undefined || spec.completions === null) {
    // A work queue: once one pod succeeded, no new ones are started.
    return counts.succeeded > 0 ? counts.active.length : parallelism;
  }
  return Math.max(0, Math.min(parallelism, spec.completions - counts.succeeded));
}

/** Complete when `completions` pods succeeded (or, for a work queue, one succeeded and none is left running). */
export function isComplete(job: Job, counts: PodCounts): boolean {
  const completions = job.spec.completions;
  if (completions === undefined || completions === null) return counts.succeeded > 0 && counts.active.length === 0;
  return counts.succeeded >= completions;
}

export interface Failure {
  reason: 'BackoffLimitExceeded' | 'DeadlineExceeded';
  message: string;
}

/** The reason a running Job fails now, if any: more failed pods than backoffLimit, or active past activeDeadlineSeconds. */
export function failure(job: Job, counts: PodCounts, startTime: number, now: number): Failure | undefined {
  const spec = job.spec;
  const backoffLimit = spec.backoffLimit ?? 6;
  const exceeded: Failure = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
  if (counts.failed > backoffLimit) return exceeded;
  // pastBackoffLimitOnFailure: with OnFailure the kubelet restarts containers in place; their restarts count as failures.
  if (spec.template.spec.restartPolicy === 'OnFailure') {
    const restarts = counts.active.reduce((sum, pod) => sum + containerRestarts(pod), 0);
    if (backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit) return exceeded;
  }
  if (spec.activeDeadlineSeconds !== undefined && now - startTime >= spec.activeDeadlineSeconds * 1000)
    return { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
  return undefined;
}

/** Adds a True condition of `type` (once). */
export function withCondition(conditions: JobCondition[] | undefined, type: string, reason: string, message: string, now: number): JobCondition[] {
  const list = (conditions ?? []).filter((c) => c.type !== type);
  const at = rfc3339(now);
  return [...list, { type, status: 'True', lastProbeTime: at, lastTransitionTime: at, reason, message }];
}

/** The counts part of the status, as Kubernetes serializes it (active/succeeded/failed omitted at 0; ready and terminating always). */
export function countsStatus(counts: PodCounts): JobStatus {
  return {
    ...(counts.active.length ? { active: counts.active.length } : {}),
    ...(counts.succeeded ? { succeeded: counts.succeeded } : {}),
    ...(counts.failed ? { failed: counts.failed } : {}),
    ready: counts.ready,
    terminating: counts.terminating,
    uncountedTerminatedPods: {},
  };
}

export const statusChanged = (job: Job, next: JobStatus) => !isDeepStrictEqual(jobStatus(job), next);
