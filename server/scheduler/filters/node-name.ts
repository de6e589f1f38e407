/** NodeName: a pod that names a node (`spec.nodeName`) fits only there. */
import type { Filter } from './filter.js';

const REASON = ["node(s) didn't match the requested node name"];

export const nodeName: Filter = {
  name: 'NodeName',
  filter: (pod, node) => (pod.nodeName && pod.nodeName !== node.name ? REASON : undefined),
};
