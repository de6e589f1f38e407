/**
 * Spreading, as the SelectorSpread plugin: the fewer pods of the same owner a node (and its
 * `topology.kubernetes.io/zone`) already has, the higher its score; the zone weighs 2/3 when
 * nodes have zones. Pods without an owner score the same everywhere.
 */
import { MAX_NODE_SCORE, type Score } from './score.js';

const ZONE_WEIGHTING = 2 / 3;

export const ownerSpread: Score = {
  name: 'OwnerSpread',
  weight: 1,
  score(pod, nodes, ctx) {
    const owner = pod.owner;
    if (!owner) return nodes.map(() => MAX_NODE_SCORE);
    const counts = nodes.map((n) => n.ownerCounts.get(owner) ?? 0);
    const maxByNode = counts.reduce((a, b) => Math.max(a, b), 0);
    const zones = ctx.zonesOf(owner);
    let maxByZone = 0;
    for (const c of zones?.values() ?? []) maxByZone = Math.max(maxByZone, c);
    const haveZones = nodes.some((n) => n.zone !== '');
    return nodes.map((n, i) => {
      let score = maxByNode > 0 ? (MAX_NODE_SCORE * (maxByNode - counts[i])) / maxByNode : MAX_NODE_SCORE;
      if (haveZones && n.zone !== '') {
        const zoneScore = maxByZone > 0 ? (MAX_NODE_SCORE * (maxByZone - ctx.zoneCount(owner, n.zone))) / maxByZone : MAX_NODE_SCORE;
        score = score * (1 - ZONE_WEIGHTING) + ZONE_WEIGHTING * zoneScore;
      }
      return Math.floor(score);
    });
  },
};
