/**
 * The scheduler's view of the cluster: nodes and the pods placed on them, bound (from the watch) or
 * assumed (decided, bind in flight). A pod is assumed on its node the moment it is chosen, so the
 * next decision already counts it; the watch later confirms it, or a failed bind forgets it.
 */
import type { Node } from '../resources/objects.js';
import type { KObject } from '../resources/kind.js';
import { NodeInfo } from './node-info.js';
import type { PodInfo } from './pod-info.js';
import type { ScoreContext } from './scores/score.js';

interface Placement {
  node: string;
  info: PodInfo;
  assumed: boolean;
  /** For an assumed pod whose bind succeeded: forget it if the watch has not confirmed it by then. */
  expiresAt?: number;
}

export class SchedulerCache implements ScoreContext {
  private readonly nodeInfos = new Map<string, NodeInfo>();
  private readonly placements = new Map<string, Placement>();
  /** owner uid → zone → pods */
  private readonly zoneCounts = new Map<string, Map<string, number>>();
  private nodeList: NodeInfo[] | undefined;

  constructor(private readonly assumedTtlMs = 30_000) {}

  /** Nodes the scheduler knows as Node objects, in a stable order. */
  nodes(): readonly NodeInfo[] {
    return (this.nodeList ??= [...this.nodeInfos.values()].filter((n) => n.node));
  }

  node(name: string): NodeInfo | undefined {
    return this.nodeInfos.get(name);
  }

  setNode(node: Node): void {
    const info = this.infoFor(node.metadata.name);
    const zoneBefore = info.zone;
    const known = Boolean(info.node);
    info.setNode(node);
    if (info.zone !== zoneBefore) for (const p of info.pods.values()) this.moveZone(p, zoneBefore, info.zone);
    if (!known) this.nodeList = undefined;
  }

  removeNode(name: string): void {
    const info = this.nodeInfos.get(name);
    if (!info) return;
    info.setNode(undefined);
    this.nodeList = undefined;
    if (info.pods.size === 0) this.nodeInfos.delete(name);
  }

  /** A pod the watch shows bound to a node (confirms an assumed pod). */
  addBoundPod(info: PodInfo): void {
    this.place(info, info.nodeName!, false);
  }

  removePod(key: string): void {
    const p = this.placements.get(key);
    if (!p) return;
    this.placements.delete(key);
    const node = this.nodeInfos.get(p.node);
    node?.removePod(key);
    if (p.info.owner && node) this.countZone(p.info.owner, node.zone, -1);
    if (node && !node.node && node.pods.size === 0) this.nodeInfos.delete(p.node);
  }

  /** Counts `info` on `nodeName` before the bind is confirmed. */
  assume(info: PodInfo, nodeName: string): void {
    this.place(info, nodeName, true);
  }

  isPlaced(key: string): boolean {
    return this.placements.has(key);
  }

  /** Placed and confirmed by the watch (not merely assumed). */
  isConfirmed(key: string): boolean {
    return this.placements.get(key)?.assumed === false;
  }

  /** The bind went through: keep the assumption until the watch confirms it (at most the TTL). */
  finishBinding(key: string, now = Date.now()): void {
    const p = this.placements.get(key);
    if (p?.assumed) p.expiresAt = now + this.assumedTtlMs;
  }

  /** The bind failed: the pod is not on that node after all. */
  forget(key: string): void {
    if (this.placements.get(key)?.assumed) this.removePod(key);
  }

  /** Drops assumptions the watch never confirmed (the pod went away in between). */
  cleanupExpired(now = Date.now()): void {
    for (const [key, p] of this.placements) if (p.assumed && p.expiresAt !== undefined && p.expiresAt <= now) this.removePod(key);
  }

  zoneCount(owner: string, zone: string): number {
    return this.zoneCounts.get(owner)?.get(zone) ?? 0;
  }

  zonesOf(owner: string): ReadonlyMap<string, number> | undefined {
    return this.zoneCounts.get(owner);
  }

  private place(info: PodInfo, nodeName: string, assumed: boolean): void {
    this.removePod(info.key);
    const node = this.infoFor(nodeName);
    node.addPod(info);
    this.placements.set(info.key, { node: nodeName, info, assumed });
    if (info.owner) this.countZone(info.owner, node.zone, 1);
  }

  private infoFor(name: string): NodeInfo {
    let info = this.nodeInfos.get(name);
    if (!info) this.nodeInfos.set(name, (info = new NodeInfo(name)));
    return info;
  }

  private moveZone(p: PodInfo, from: string, to: string): void {
    if (!p.owner) return;
    this.countZone(p.owner, from, -1);
    this.countZone(p.owner, to, 1);
  }

  private countZone(owner: string, zone: string, delta: number): void {
    if (zone === '') return;
    let byZone = this.zoneCounts.get(owner);
    if (!byZone) this.zoneCounts.set(owner, (byZone = new Map()));
    const n = (byZone.get(zone) ?? 0) + delta;
    if (n > 0) byZone.set(zone, n);
    else byZone.delete(zone);
    if (byZone.size === 0) this.zoneCounts.delete(owner);
  }
}
