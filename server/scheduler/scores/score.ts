/** A score plugin: how much a node suits a pod, 0..100 for every feasible node at once (plugins normalise across nodes). */
import type { NodeInfo } from '../node-info.js';
import type { PodInfo } from '../pod-info.js';

export const MAX_NODE_SCORE = 100;

export interface ScoreContext {
  /** Pods of `owner` placed in `zone`, across all nodes. */
  zoneCount(owner: string, zone: string): number;
  /** Every zone with pods of `owner`. */
  zonesOf(owner: string): ReadonlyMap<string, number> | undefined;
}

export interface Score {
  name: string;
  weight: number;
  score(pod: PodInfo, nodes: readonly NodeInfo[], ctx: ScoreContext): number[];
}
