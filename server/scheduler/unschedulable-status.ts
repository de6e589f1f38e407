/**
 * The status a pod that fits nowhere gets: condition PodScheduled=False, reason Unschedulable, and
 * why; undefined when it already says so. "Already says so" is judged on what the message tells:
 * how many nodes there are and which reasons keep the pod off them. A message that differs only in
 * how the nodes split between the same reasons ("3 Insufficient cpu, 1 Too many pods" after "2
 * Insufficient cpu, 2 Too many pods") is no news: while a cluster fills or drains, every retry of
 * every parked pod would otherwise rewrite its status. Each attempt's exact message still goes to
 * the FailedScheduling Event.
 */
import type { KObject } from '../resources/kind.js';

interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

export function unschedulableStatus(pod: KObject, message: string, now = new Date()): Record<string, unknown> | undefined {
  const status = (pod.status ?? {}) as { conditions?: PodCondition[] };
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  const current = conditions.find((c) => c.type === 'PodScheduled');
  if (current && current.status === 'False' && current.reason === 'Unschedulable' && sameNews(current.message, message)) return undefined;
  const condition: PodCondition = {
    type: 'PodScheduled',
    status: 'False',
    lastProbeTime: null,
    lastTransitionTime: current?.status === 'False' && current.lastTransitionTime ? current.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, 'Z'),
    reason: 'Unschedulable',
    message,
  };
  return { ...status, conditions: current ? conditions.map((c) => (c === current ? condition : c)) : [...conditions, condition] };
}

/** kube-scheduler's FitError wording (fit-error.ts): `0/<nodes> nodes are available: <count> <reason>, ....` */
const FIT_ERROR = /^0\/(\d+) nodes are available: (.*)\.$/;

/** The node total and the reasons of a FitError message, without their counts; undefined for any other message. */
function gist(message: string): string | undefined {
  const m = FIT_ERROR.exec(message);
  if (!m) return undefined;
  const reasons: string[] = [];
  for (const part of m[2].split(', ')) {
    const r = /^\d+ (.+)$/.exec(part);
    if (!r) return undefined;
    reasons.push(r[1]);
  }
  return `${m[1]}\u0000${reasons.sort().join('\u0000')}`;
}

/** Whether `next` tells nothing `was` did not: the same message, or the same nodes and reasons counted differently. */
function sameNews(was: string | undefined, next: string): boolean {
  if (was === next) return true;
  if (was === undefined) return false;
  const a = gist(was);
  return a !== undefined && a === gist(next);
}
