/** The audit filter (DESIGN §7 "Audit shapes") as the store sees it, and its test on one event (the live side of the `log` subscription). */
import type { StoredEvent } from './types.js';

/** High-volume, short-lived kinds the audit log leaves out unless its filter asks for the kind. */
export const UNAUDITED_KINDS: readonly string[] = ['Event'];

export interface AuditFilter {
  actor?: string;
  verb?: string;
  /** Without it, every kind but UNAUDITED_KINDS. */
  kind?: string;
  /** '' selects cluster-scoped objects. */
  namespace?: string;
  name?: string;
  /** Inclusive revision range. */
  fromRevision?: number;
  toRevision?: number;
  /** Commit time, ms since epoch: since ≤ ts < until. */
  since?: number;
  until?: number;
}

export function matchesAudit(filter: AuditFilter, e: StoredEvent): boolean {
  return (
    (filter.actor === undefined || e.actor === filter.actor) &&
    (filter.verb === undefined || e.verb === filter.verb) &&
    (filter.kind === undefined ? !UNAUDITED_KINDS.includes(e.kind) : e.kind === filter.kind) &&
    (filter.namespace === undefined || e.namespace === filter.namespace) &&
    (filter.name === undefined || e.name === filter.name) &&
    (filter.fromRevision === undefined || e.revision >= filter.fromRevision) &&
    (filter.toRevision === undefined || e.revision <= filter.toRevision) &&
    (filter.since === undefined || e.ts >= filter.since) &&
    (filter.until === undefined || e.ts < filter.until)
  );
}
