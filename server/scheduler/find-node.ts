/**
 * One scheduling decision: filter the nodes (stopping once enough feasible ones are found, as
 * kube-scheduler's percentageOfNodesToScore, starting where the last search stopped), score the
 * feasible ones, and pick the best (ties broken at random). A pod that fits nowhere gets the
 * reasons of every node, counted only then: as a cluster fills, a search passes over thousands of
 * full nodes for each pod placed, and counting their reasons was most of the filtering's cost.
 */
import { runFilters } from './filters/all.js';
import type { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { SchedulerCache } from './scheduler-cache.js';
import { fitErrorMessage, type ReasonHistogram } from './fit-error.js';
import { scores } from './scores/all.js';

export type Decision = { node: string; feasible: number } | { unschedulable: string };

const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE = 5;

/** numFeasibleNodesToFind: all nodes up to 100; then an adaptive share (50% - nodes/125, at least 5%, at least 100 nodes). */
export function feasibleNodesToFind(numAllNodes: number, percentage?: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let p = percentage ?? 0;
  if (p >= 100) return numAllNodes;
  if (p <= 0) p = Math.max(MIN_FEASIBLE_NODES_PERCENTAGE, 50 - Math.floor(numAllNodes / 125));
  return Math.max(MIN_FEASIBLE_NODES_TO_FIND, Math.floor((numAllNodes * p) / 100));
}

export interface FindNodeState {
  /** Where the next search starts, so every node gets its turn. */
  nextStart: number;
  percentageOfNodesToScore?: number;
  random?: () => number;
}

/** Every node's reasons, counted: the search found no node, so it ran every filter chain once already. */
function reasonsOf(pod: PodInfo, nodes: readonly NodeInfo[]): ReasonHistogram {
  const reasons: ReasonHistogram = new Map();
  for (const node of nodes) for (const r of runFilters(pod, node) ?? []) reasons.set(r, (reasons.get(r) ?? 0) + 1);
  return reasons;
}

export function findNode(pod: PodInfo, cache: SchedulerCache, state: FindNodeState): Decision {
  const nodes = cache.nodes();
  const n = nodes.length;
  if (n === 0) return { unschedulable: fitErrorMessage(0, new Map()) };
  const want = feasibleNodesToFind(n, state.percentageOfNodesToScore);
  const feasible: NodeInfo[] = [];
  const start = state.nextStart % n;
  let processed = 0;
  for (; processed < n && feasible.length < want; processed++) {
    const node = nodes[(start + processed) % n];
    if (!runFilters(pod, node)) feasible.push(node);
  }
  state.nextStart = (start + processed) % n;
  if (feasible.length === 0) return { unschedulable: fitErrorMessage(n, reasonsOf(pod, nodes)) };
  if (feasible.length === 1) return { node: feasible[0].name, feasible: 1 };

  const totals = new Array<number>(feasible.length).fill(0);
  for (const s of scores) {
    const values = s.score(pod, feasible, cache);
    for (let i = 0; i < totals.length; i++) totals[i] += s.weight * values[i];
  }
  // selectHost: the highest total; among equals, each has the same chance (reservoir sampling).
  const random = state.random ?? Math.random;
  let best = 0;
  let ties = 1;
  for (let i = 1; i < totals.length; i++) {
    if (totals[i] > totals[best]) {
      best = i;
      ties = 1;
    } else if (totals[i] === totals[best] && random() * ++ties < 1) best = i;
  }
  return { node: feasible[best].name, feasible: feasible.length };
}
