/** The status a pod that fits nowhere gets: condition PodScheduled=False, reason Unschedulable, and why; undefined when it already says so. */
import type { Pod } from '../resources/objects.js';

interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
}

export function unschedulableStatus(pod: Pod, message: string, now = new Date()): Record<string, unknown> | undefined {
  const status = pod.status ?? {};
  const conditions: PodCondition[] = status.conditions ?? [];
  const current = conditions.find((c) => c.type === 'PodScheduled');
  if (current && current.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return undefined;
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
