/** The GraphQL AuditFilter input as the store's AuditFilter: nulls dropped, DateTimes as ms since epoch. */
import type { AuditFilter } from '../../store/audit-filter.js';

export interface AuditFilterInput {
  actor?: string | null;
  verb?: string | null;
  kind?: string | null;
  namespace?: string | null;
  name?: string | null;
  fromRevision?: number | null;
  toRevision?: number | null;
  since?: string | null;
  until?: string | null;
}

const given = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);
const time = (v: string | null | undefined) => (v === null || v === undefined ? undefined : Date.parse(v));

export function toAuditFilter(input: AuditFilterInput | null | undefined): AuditFilter {
  const f = input ?? {};
  const filter: AuditFilter = {
    actor: given(f.actor),
    verb: given(f.verb),
    kind: given(f.kind),
    namespace: given(f.namespace),
    name: given(f.name),
    fromRevision: given(f.fromRevision),
    toRevision: given(f.toRevision),
    since: time(f.since),
    until: time(f.until),
  };
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as AuditFilter;
}
