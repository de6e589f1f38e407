/**
 * NodeResourcesFit: the pod's requests must fit in the node's allocatable minus what the pods
 * already there (bound or assumed) request; every resource short is a reason of its own.
 */
import type { Filter } from './filter.js';

const REASONS = ['Too many pods', 'Insufficient cpu', 'Insufficient memory'] as const;
/** The reasons of each combination of the three shortfalls (bit 1 pods, 2 cpu, 4 memory), made once: a full node is met thousands of times a second. */
const BY_SHORTFALL: readonly (readonly string[])[] = Array.from({ length: 8 }, (_, bits) => Object.freeze(REASONS.filter((_, i) => bits & (1 << i))));

export const resourceFit: Filter = {
  name: 'NodeResourcesFit',
  filter(pod, node) {
    const a = node.allocatable;
    const used = node.requested;
    let bits = 0;
    if (node.pods.size + 1 > a.pods) bits |= 1;
    if (pod.requests.milliCpu > 0 && pod.requests.milliCpu > a.milliCpu - used.milliCpu) bits |= 2;
    if (pod.requests.memory > 0 && pod.requests.memory > a.memory - used.memory) bits |= 4;
    return bits === 0 ? undefined : BY_SHORTFALL[bits];
  },
};
