/**
 * The audit log (DESIGN §4 Audit, §7 Audit shapes): `auditLog` read page by page, and the `log`
 * subscription that follows the log as it grows. Reading it needs the RBAC verb `audit`.
 */
import type { Observable } from 'rxjs';
import { mapStream, type KubeqlClient } from './client.js';
import { objectClientOf, type ObjectClient } from './object-client.js';

/** AuditFilter: every field narrows; times are RFC 3339. */
export interface AuditFilter {
  actor?: string;
  verb?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  fromRevision?: number;
  toRevision?: number;
  since?: string;
  until?: string;
}

export interface AuditEntry {
  revision: number;
  ts: string;
  actor: string;
  verb: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  kind: string;
  namespace: string | null;
  name: string;
  uid: string;
  /** The whole object after the change (for DELETED, its last state); only when asked for. */
  object?: unknown;
}

export interface AuditReadOptions {
  /** At most this many entries (default: all that match). */
  limit?: number;
  /** Entries per request (default 500). */
  pageSize?: number;
  /** Read each entry's object too (bigger answers). */
  withObject?: boolean;
  /** Called after each page with the number read so far (progress). */
  onPage?(read: number): void;
}

const PAGE = 500;
const fields = (withObject: boolean | undefined) => `revision ts actor verb type kind namespace name uid${withObject ? ' object' : ''}`;

const auditLogQuery = (withObject: boolean | undefined) => `query($filter: AuditFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) { edges { node { ${fields(withObject)} } } pageInfo { hasNextPage endCursor } } }`;

interface Page<T> {
  edges: Array<{ node: T }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** The entries matching `filter`, oldest first, read page by page. */
export async function readAuditLog(client: KubeqlClient | ObjectClient, filter: AuditFilter = {}, options: AuditReadOptions = {}): Promise<AuditEntry[]> {
  const graphql = objectClientOf(client).graphql;
  const query = auditLogQuery(options.withObject);
  const limit = options.limit ?? Infinity;
  const entries: AuditEntry[] = [];
  let after: string | undefined;
  do {
    const first = Math.min(options.pageSize ?? PAGE, limit - entries.length);
    const { auditLog } = await graphql.request<{ auditLog: Page<AuditEntry> }>(query, { filter, first, after });
    entries.push(...auditLog.edges.map((e) => e.node));
    after = auditLog.pageInfo.hasNextPage ? (auditLog.pageInfo.endCursor ?? undefined) : undefined;
    options.onPage?.(entries.length);
  } while (after && entries.length < limit);
  return entries;
}

export interface LogWatchOptions {
  /** Exclusive: the first entry has a greater revision. Without it, from the head. */
  fromRevision?: number;
  withObject?: boolean;
}

/** The log as it grows (`log` subscription): entries matching `filter`, in revision order; ends with EXPIRED or SLOW_CONSUMER as the API says. */
export function watchLog(client: KubeqlClient | ObjectClient, filter: AuditFilter = {}, options: LogWatchOptions = {}): Observable<AuditEntry> {
  const query = `subscription($filter: AuditFilter, $fromRevision: Revision) { log(filter: $filter, fromRevision: $fromRevision) { ${fields(options.withObject)} } }`;
  return mapStream(objectClientOf(client).graphql.subscribe<{ log: AuditEntry }>(query, { filter, fromRevision: options.fromRevision }), (data) => data.log);
}
