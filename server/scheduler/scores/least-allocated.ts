/**
 * NodeResourcesFit's LeastAllocated score: the free share of cpu and memory (weights 1 and 1) after
 * placing the pod, so pods spread over the emptiest nodes. Requestless containers count with the
 * scoring defaults (100m, 200Mi), as kube-scheduler's non-zero requests do.
 */
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';
import { MAX_NODE_SCORE, type Score } from './score.js';

function free(requested: number, allocatable: number): number {
  if (allocatable <= 0 || requested > allocatable) return 0;
  return Math.floor(((allocatable - requested) * MAX_NODE_SCORE) / allocatable);
}

export function leastAllocatedScore(pod: PodInfo, node: NodeInfo): number {
  const cpu = free(node.nonZeroRequested.milliCpu + pod.nonZeroRequests.milliCpu, node.allocatable.milliCpu);
  const memory = free(node.nonZeroRequested.memory + pod.nonZeroRequests.memory, node.allocatable.memory);
  return Math.floor((cpu + memory) / 2);
}

export const leastAllocated: Score = {
  name: 'NodeResourcesLeastAllocated',
  weight: 1,
  score: (pod, nodes) => nodes.map((n) => leastAllocatedScore(pod, n)),
};
