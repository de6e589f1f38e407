/** Whether a pod's tolerations tolerate a taint (v1.Toleration.ToleratesTaint). */
import type { Taint } from '../node-info.js';
import type { Toleration } from '../pod-info.js';

export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  // An empty key with operator Exists matches every taint.
  if (!t.key && t.operator !== 'Exists') return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

export const tolerates = (tolerations: readonly Toleration[], taint: Taint) => tolerations.some((t) => toleratesTaint(t, taint));
