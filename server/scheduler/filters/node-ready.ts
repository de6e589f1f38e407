/**
 * A node must be Ready. As with TaintNodesByCondition, a pod that tolerates the taint the node
 * lifecycle controller would set (`not-ready` for Ready=False, `unreachable` otherwise) may still go there.
 */
import type { Filter } from './filter.js';
import { tolerates } from './tolerations.js';

const REASON = ['node(s) were not ready'];

export const nodeReady: Filter = {
  name: 'NodeReady',
  filter(pod, node) {
    if (node.ready) return undefined;
    const conditions = node.node?.status?.conditions ?? [];
    const notReady = conditions.some((c) => c.type === 'Ready' && c.status === 'False');
    const key = notReady ? 'node.kubernetes.io/not-ready' : 'node.kubernetes.io/unreachable';
    return tolerates(pod.tolerations, { key, effect: 'NoSchedule' }) ? undefined : REASON;
  },
};
