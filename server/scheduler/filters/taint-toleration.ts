/** TaintToleration: every NoSchedule and NoExecute taint of the node must be tolerated; the first that is not is named. */
import type { Filter } from './filter.js';
import { tolerates } from './tolerations.js';

export const taintToleration: Filter = {
  name: 'TaintToleration',
  filter(pod, node) {
    for (const taint of node.taints) {
      if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
      if (!tolerates(pod.tolerations, taint)) return [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`];
    }
    return undefined;
  },
};
