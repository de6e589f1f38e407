/**
 * Kubernetes' zone rules for the node-lifecycle controller (pkg/controller/nodelifecycle):
 * - a zone (topology region + zone labels) is FullDisruption when none of its nodes is Ready,
 *   PartialDisruption when more than 2 are not Ready and they are at least `unhealthyZoneThreshold`
 *   (0.55) of it, Normal otherwise;
 * - nodes are tainted NoExecute (which is what evicts their pods) through a per-zone queue drained by
 *   a token bucket (burst 1): `nodeEvictionRate` (0.1/s) in a Normal zone, `secondaryNodeEvictionRate`
 *   (0.01/s) in a PartialDisruption zone of more than `largeClusterSizeThreshold` (50) nodes and 0 in a
 *   smaller one, the normal rate in a FullDisruption zone (the zone is gone; its pods belong elsewhere);
 * - when every zone is FullDisruption, the controller assumes its own connectivity is the problem:
 *   it removes the NoExecute taints it set, and taints nothing until some node is Ready again.
 */
import type { KObject } from '../resources/kind.js';

export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

export interface ZoneSettings {
  /** --unhealthy-zone-threshold (0.55). */
  unhealthyZoneThreshold: number;
  /** --large-cluster-size-threshold (50): a zone this size or smaller stops evictions in partial disruption. */
  largeClusterSizeThreshold: number;
  /** --node-eviction-rate: nodes tainted per second in a healthy zone (0.1). */
  nodeEvictionRate: number;
  /** --secondary-node-eviction-rate: nodes tainted per second in a large zone in partial disruption (0.01). */
  secondaryNodeEvictionRate: number;
}

export const DEFAULT_ZONE_SETTINGS: ZoneSettings = { unhealthyZoneThreshold: 0.55, largeClusterSizeThreshold: 50, nodeEvictionRate: 0.1, secondaryNodeEvictionRate: 0.01 };

/** A node with this label counts in no zone (Kubernetes' isNodeExcludedFromDisruptionChecks). */
export const EXCLUDE_DISRUPTION_LABEL = 'node.kubernetes.io/exclude-disruption';

/** The zone a node is in: region and zone, from the topology labels (or their beta forms). */
export function zoneOf(node: KObject): string {
  const l = node.metadata.labels ?? {};
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return `${region}:${zone}`;
}

export function zoneState(ready: number, notReady: number, threshold: number): ZoneState {
  if (ready === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / (notReady + ready) >= threshold) return 'PartialDisruption';
  return 'Normal';
}

/** Nodes tainted per second in a zone of `size` nodes in `state`. */
export function taintRate(state: ZoneState, size: number, s: ZoneSettings): number {
  if (state === 'PartialDisruption') return size > s.largeClusterSizeThreshold ? s.secondaryNodeEvictionRate : 0;
  return s.nodeEvictionRate;
}

/** A token bucket of burst 1 (client-go's, as the eviction queues use it); a rate of 0 never gives a token. */
export class TokenBucket {
  private tokens = 1;
  private at: number;

  constructor(
    private qps: number,
    now = Date.now(),
  ) {
    this.at = now;
  }

  get rate(): number {
    return this.qps;
  }

  private refill(now: number): void {
    if (this.qps > 0) this.tokens = Math.min(1, this.tokens + ((now - this.at) / 1000) * this.qps);
    this.at = now;
  }

  tryTake(now = Date.now()): boolean {
    this.refill(now);
    if (this.qps <= 0 || this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** A new rate (RateLimitedTimedQueue.SwapLimiter): if the old bucket was empty, so is the new one. */
  swap(qps: number, now = Date.now()): void {
    if (qps === this.qps) return;
    this.refill(now);
    const wasEmpty = this.qps <= 0 || this.tokens < 1;
    this.qps = qps;
    this.tokens = qps > 0 && !wasEmpty ? 1 : 0;
  }
}

/** Per zone: its state, and the nodes waiting to be tainted (in order) behind its token bucket. */
export class ZoneTainters {
  readonly states = new Map<string, ZoneState>();
  private readonly queues = new Map<string, { waiting: Set<string>; bucket: TokenBucket }>();
  /** Every zone FullDisruption (Kubernetes' "master disruption mode"). */
  allFullyDisrupted = false;

  constructor(private readonly settings: ZoneSettings) {}

  private queueOf(zone: string) {
    let q = this.queues.get(zone);
    if (!q) this.queues.set(zone, (q = { waiting: new Set(), bucket: new TokenBucket(this.settings.nodeEvictionRate) }));
    return q;
  }

  add(zone: string, node: string): void {
    this.queueOf(zone).waiting.add(node);
  }

  remove(node: string): void {
    for (const q of this.queues.values()) q.waiting.delete(node);
  }

  waiting(): number {
    let n = 0;
    for (const q of this.queues.values()) n += q.waiting.size;
    return n;
  }

  /**
   * New zone states from each zone's (ready, notReady) counts (handleDisruption). Returns 'entered'
   * when every zone has just become FullDisruption (the caller lifts its taints), 'left' when that ends.
   */
  update(counts: Map<string, { ready: number; notReady: number }>, now = Date.now()): 'entered' | 'left' | undefined {
    const next = new Map<string, ZoneState>();
    for (const [zone, c] of counts) next.set(zone, zoneState(c.ready, c.notReady, this.settings.unhealthyZoneThreshold));
    const all = next.size > 0 && [...next.values()].every((s) => s === 'FullDisruption');
    const was = this.allFullyDisrupted;
    this.allFullyDisrupted = all;
    for (const zone of this.states.keys()) if (!next.has(zone)) this.states.delete(zone);
    for (const zone of this.queues.keys()) if (!next.has(zone)) this.queues.delete(zone);
    for (const [zone, state] of next) {
      this.states.set(zone, state);
      const size = counts.get(zone)!.ready + counts.get(zone)!.notReady;
      this.queueOf(zone).bucket.swap(all ? 0 : taintRate(state, size, this.settings), now);
    }
    if (all && !was) return 'entered';
    if (was && !all) return 'left';
    return undefined;
  }

  /** The nodes whose turn it is: at most one token's worth per zone. */
  take(now = Date.now()): Array<{ zone: string; node: string }> {
    const out: Array<{ zone: string; node: string }> = [];
    for (const [zone, q] of this.queues) {
      while (q.waiting.size > 0 && q.bucket.tryTake(now)) {
        const node = q.waiting.values().next().value as string;
        q.waiting.delete(node);
        out.push({ zone, node });
      }
    }
    return out;
  }

  /** A node taken but not tainted (the write failed) goes back to the front of the line. */
  putBack(zone: string, node: string): void {
    const q = this.queueOf(zone);
    q.waiting = new Set([node, ...q.waiting]);
  }
}
