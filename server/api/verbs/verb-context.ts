/** What every write needs besides its arguments: who acts, where warnings go, the allocation ranges, and admission. */
import type { Allocator } from '../../resources/kind.js';
import type { WriteTx } from '../../store/types.js';
import type { Admission } from '../auth/escalation.js';

export interface AllocationRanges {
  serviceClusterIpRange: string;
  /** NodePorts, LOW-HIGH. */
  serviceNodePortRange: string;
  podNetwork: string;
  podCidrPrefix: number;
}

export interface VerbContext {
  actor: string;
  /** Warnings for the response's `extensions.warnings` (unknown fields kept). */
  warnings: string[];
  ranges: AllocationRanges;
  /**
   * Admission of an object about to be written by this request (create, or update by update,
   * patch and apply): RBAC escalation prevention (auth/escalation.ts) and NodeRestriction
   * (auth/node-restriction.ts). Throws to refuse.
   */
  admission: Admission;
}

export const DEFAULT_RANGES: AllocationRanges = {
  serviceClusterIpRange: '10.96.0.0/16',
  serviceNodePortRange: '30000-32767',
  podNetwork: '10.128.0.0/9',
  podCidrPrefix: 24,
};

export function allocatorFor(tx: WriteTx, ranges: AllocationRanges): Allocator {
  return { ...ranges, isAllocated: (pool, value) => tx.isAllocated(pool, value) };
}

/** The last second formatted: every write stamps a time, most in the same second as the one before. */
let lastSecond = Number.NaN;
let lastText = '';

/** RFC 3339 with second precision, as Kubernetes writes timestamps. */
export function timestamp(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
    lastSecond = second;
  }
  return lastText;
}
