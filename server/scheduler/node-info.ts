/** One node as the scheduler sees it: the Node's facts plus the pods placed on it (bound or assumed) and what they request. */
import type { Node } from '../resources/objects.js';
import type { PodInfo } from './pod-info.js';
import { nodeAllocatable, type Resources } from './resources.js';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

const empty = (): Resources => ({ milliCpu: 0, memory: 0, pods: 0 });

export class NodeInfo {
  /** Undefined while pods name a node the scheduler has not seen (yet). */
  node?: Node;
  labels: Record<string, string> = {};
  zone = '';
  allocatable: Resources = empty();
  taints: Taint[] = [];
  unschedulable = false;
  ready = false;
  /** The sum of the requests of the pods on it. */
  readonly requested: Resources = empty();
  readonly nonZeroRequested: Resources = empty();
  readonly pods = new Map<string, PodInfo>();
  /** Pods per controller owner uid. */
  readonly ownerCounts = new Map<string, number>();

  constructor(readonly name: string) {}

  setNode(node: Node | undefined): void {
    this.node = node;
    const spec = node?.spec ?? {};
    const conditions = node?.status?.conditions ?? [];
    this.labels = node?.metadata.labels ?? {};
    this.zone = this.labels[ZONE_LABEL] ?? '';
    this.allocatable = node ? nodeAllocatable(node) : empty();
    this.taints = spec.taints ?? [];
    this.unschedulable = spec.unschedulable === true;
    this.ready = conditions.some((c) => c.type === 'Ready' && c.status === 'True');
  }

  addPod(p: PodInfo): void {
    this.removePod(p.key);
    this.pods.set(p.key, p);
    this.account(p, 1);
  }

  removePod(key: string): PodInfo | undefined {
    const p = this.pods.get(key);
    if (!p) return undefined;
    this.pods.delete(key);
    this.account(p, -1);
    return p;
  }

  private account(p: PodInfo, sign: 1 | -1): void {
    for (const k of ['milliCpu', 'memory', 'pods'] as const) {
      this.requested[k] += sign * p.requests[k];
      this.nonZeroRequested[k] += sign * p.nonZeroRequests[k];
    }
    if (p.owner) {
      const n = (this.ownerCounts.get(p.owner) ?? 0) + sign;
      if (n > 0) this.ownerCounts.set(p.owner, n);
      else this.ownerCounts.delete(p.owner);
    }
  }
}
