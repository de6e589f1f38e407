/**
 * Spreading, as the SelectorSpread plugin: the fewer pods of the same owner a node (and its
 * `topology.kubernetes.io/zone`) already has, the higher its score; the zone weighs 2/3 when
 * nodes have zones. Pods without an owner score the same everywhere.
 *
 * Plain loops, and each zone's score once: a search scores hundreds of nodes (500 of 5,000) in a
 * handful of zones for every pod, and this was the largest share of the scheduler's time.
 */
import { MAX_NODE_SCORE, type Score } from './score.js';

const ZONE_WEIGHTING = 2 / 3;

export const ownerSpread: Score = {
  name: 'OwnerSpread',
  weight: 1,
  score(pod, nodes, ctx) {
    const n = nodes.length;
    const scores = new Array<number>(n);
    const owner = pod.owner;
    if (!owner) return scores.fill(MAX_NODE_SCORE);
    let maxByNode = 0;
    let haveZones = false;
    for (let i = 0; i < n; i++) {
      const node = nodes[i];
      const count = node.ownerCounts.get(owner) ?? 0;
      scores[i] = count;
      if (count > maxByNode) maxByNode = count;
      if (node.zone !== '') haveZones = true;
    }
    let maxByZone = 0;
    for (const c of ctx.zonesOf(owner)?.values() ?? []) maxByZone = Math.max(maxByZone, c);
    const zoneScores = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      let score = maxByNode > 0 ? (MAX_NODE_SCORE * (maxByNode - scores[i])) / maxByNode : MAX_NODE_SCORE;
      const zone = nodes[i].zone;
      if (haveZones && zone !== '') {
        let zoneScore = zoneScores.get(zone);
        if (zoneScore === undefined) {
          zoneScore = maxByZone > 0 ? (MAX_NODE_SCORE * (maxByZone - ctx.zoneCount(owner, zone))) / maxByZone : MAX_NODE_SCORE;
          zoneScores.set(zone, zoneScore);
        }
        score = score * (1 - ZONE_WEIGHTING) + ZONE_WEIGHTING * zoneScore;
      }
      scores[i] = Math.floor(score);
    }
    return scores;
  },
};
