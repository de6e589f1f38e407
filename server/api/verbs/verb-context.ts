/** What every write needs besides its arguments: who acts, where warnings go, the allocation ranges, and the escalation check. */
import type { Allocator } from '../../resources/kind.js';
import type { WriteTx } from '../../store/types.js';
import type { EscalationCheck } from '../auth/escalation.js';

export interface AllocationRanges {
  serviceClusterIpRange: string;
  podNetwork: string;
  podCidrPrefix: number;
}

export interface VerbContext {
  actor: string;
  /** Warnings for the response's `extensions.warnings` (unknown fields kept). */
  warnings: string[];
  ranges: AllocationRanges;
  /** RBAC escalation prevention for writes of roles and bindings (auth/escalation.ts). */
  escalation: EscalationCheck;
}

export const DEFAULT_RANGES: AllocationRanges = {
  serviceClusterIpRange: '10.96.0.0/16',
  podNetwork: '10.128.0.0/9',
  podCidrPrefix: 24,
};

export function allocatorFor(tx: WriteTx, ranges: AllocationRanges): Allocator {
  return { ...ranges, isAllocated: (pool, value) => tx.isAllocated(pool, value) };
}

/** RFC 3339 with second precision, as Kubernetes writes timestamps. */
export function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
