/**
 * NodeResourcesFit: the pod's requests must fit in the node's allocatable minus what the pods
 * already there (bound or assumed) request; every resource short is a reason of its own.
 */
import type { Filter } from './filter.js';

export const resourceFit: Filter = {
  name: 'NodeResourcesFit',
  filter(pod, node) {
    let reasons: string[] | undefined;
    const a = node.allocatable;
    const used = node.requested;
    if (node.pods.size + 1 > a.pods) (reasons ??= []).push('Too many pods');
    if (pod.requests.milliCpu > 0 && pod.requests.milliCpu > a.milliCpu - used.milliCpu) (reasons ??= []).push('Insufficient cpu');
    if (pod.requests.memory > 0 && pod.requests.memory > a.memory - used.memory) (reasons ??= []).push('Insufficient memory');
    return reasons;
  },
};
