/** The filters, in the order they run (the first that fails names the node's reason; kube-scheduler's order, Ready first as its old CheckNodeCondition). */
import type { Filter } from './filter.js';
import { nodeAffinity } from './node-affinity.js';
import { nodeName } from './node-name.js';
import { nodeReady } from './node-ready.js';
import { nodeUnschedulable } from './node-unschedulable.js';
import { resourceFit } from './resource-fit.js';
import { taintToleration } from './taint-toleration.js';

export const filters: readonly Filter[] = [nodeReady, nodeUnschedulable, nodeName, taintToleration, nodeAffinity, resourceFit];

/** The reasons a pod does not fit a node, from the first filter that fails; undefined when it fits. */
export function runFilters(pod: Parameters<Filter['filter']>[0], node: Parameters<Filter['filter']>[1]): readonly string[] | undefined {
  for (const f of filters) {
    const reasons = f.filter(pod, node);
    if (reasons) return reasons;
  }
  return undefined;
}
