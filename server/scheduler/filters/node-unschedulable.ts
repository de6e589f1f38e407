/** NodeUnschedulable: a cordoned node (`spec.unschedulable`) takes only pods that tolerate its unschedulable taint. */
import type { Filter } from './filter.js';
import { tolerates } from './tolerations.js';

const REASON = ['node(s) were unschedulable'];
const TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

export const nodeUnschedulable: Filter = {
  name: 'NodeUnschedulable',
  filter: (pod, node) => (node.unschedulable && !tolerates(pod.tolerations, TAINT) ? REASON : undefined),
};
