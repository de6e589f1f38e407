/** Node conditions, taints and tolerations, as the node-lifecycle controller reads and writes them. */
import type { Node, NodeCondition, Pod, Taint } from '../resources/objects.js';

export type { NodeCondition, Taint };
export type Toleration = NonNullable<Pod['spec']['tolerations']>[number];

export const UNREACHABLE_TAINT_KEY = 'node.kubernetes.io/unreachable';

export const taintsOf = (node: Node): Taint[] => node.spec?.taints ?? [];
export const conditionsOf = (node: Node): NodeCondition[] => node.status?.conditions ?? [];
export const readyCondition = (node: Node) => conditionsOf(node).find((c) => c.type === 'Ready');
export const unreachableTaint = (node: Node) => taintsOf(node).find((t) => t.key === UNREACHABLE_TAINT_KEY && t.effect === 'NoExecute');

/** v1.Toleration.ToleratesTaint. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return Boolean(t.key) && (t.value ?? '') === (taint.value ?? '');
}

/**
 * How long after a NoExecute taint `pod` may stay: a toleration with tolerationSeconds gives that
 * long (the shortest, if several), only unbounded ones tolerate forever (undefined), and no toleration gives `defaultMs` (Kubernetes'
 * admission adds a 300 s toleration to every pod; Kubeql's default eviction timeout plays that part).
 */
export function evictionDelayMs(pod: Pod, taint: Taint, defaultMs: number): number | undefined {
  const matching = (pod.spec.tolerations ?? []).filter((t) => tolerates(t, taint));
  if (matching.length === 0) return defaultMs;
  // getMinTolerationTime: the shortest bounded toleration wins; only unbounded ones tolerate forever.
  const bounded = matching.filter((t) => t.tolerationSeconds !== undefined && t.tolerationSeconds !== null);
  if (bounded.length === 0) return undefined;
  return Math.min(...bounded.map((t) => Math.max(0, t.tolerationSeconds!) * 1000));
}
