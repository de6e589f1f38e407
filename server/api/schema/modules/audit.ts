/**
 * Audit: the log as an API (DESIGN §4, §7 "Audit shapes"): auditLog (filtered, Relay-paginated),
 * history (every version of one object name with the RFC 6902 patch from the version before), the
 * `log` subscription (the raw log as it grows), and the admin mutation `replay`.
 * RBAC (../../audit/access.ts): auditLog, history and log need the verb `audit`, replay the verb
 * `replay`, on the cluster-scoped resource `log` of kubeql.io (admin, in system:masters, has both).
 */
import type { SchemaModule } from '../module.js';
import { auditResolvers } from './audit-resolvers.js';

const typeDefs = () => `
"""
Selects events of the log: every field given must match. Revisions are inclusive; since ≤ ts < until.
namespace "" selects cluster-scoped objects. Events (kind Event: high-volume, expiring) are left out
unless kind is Event.
"""
input AuditFilter {
  actor: String
  verb: String
  kind: Kind
  namespace: String
  name: String
  fromRevision: Revision
  toRevision: Revision
  since: DateTime
  until: DateTime
}

"""What an event did to its object."""
enum EventType {
  ADDED
  MODIFIED
  DELETED
}

"""One event of the log."""
type AuditEntry {
  revision: Revision!
  """Commit time: never earlier than the previous event's (a clock that steps back does not make the log's times fall)."""
  ts: DateTime!
  """The authenticated identity that caused it."""
  actor: String!
  """create, update, patch, updateStatus, apply, bind, scale or delete."""
  verb: String!
  type: EventType!
  kind: Kind!
  """Null for cluster-scoped objects."""
  namespace: String
  name: String!
  uid: String!
  """The whole object after the change (for DELETED, its last state)."""
  object: JSON!
  """The client's idempotency key, if it gave one."""
  requestId: String
}

type AuditEdge {
  cursor: String!
  node: AuditEntry!
}

"""Events of the log, oldest first."""
type AuditConnection {
  edges: [AuditEdge!]!
  pageInfo: PageInfo!
  """The head of the log when this page was read."""
  revision: Revision!
  """The compaction floor: events at or below it are no longer held."""
  floor: Revision!
}

"""One version of an object: the event that wrote it, and the change from the version before."""
type ObjectVersion {
  revision: Revision!
  ts: DateTime!
  actor: String!
  verb: String!
  type: EventType!
  """Tells apart objects that reused the name (delete, then create)."""
  uid: String!
  object: JSON!
  """RFC 6902 operations turning the previous version of the same object (same uid) into this one; empty for the first."""
  patch: JSON!
}

type ObjectVersionEdge {
  cursor: String!
  node: ObjectVersion!
}

"""Versions of one object name, oldest first."""
type ObjectVersionConnection {
  edges: [ObjectVersionEdge!]!
  pageInfo: PageInfo!
  """The head of the log when this page was read."""
  revision: Revision!
  """The compaction floor: versions written at or below it are no longer held."""
  floor: Revision!
}

"""Rows and SHA-256 of one projected table."""
type TableDigest {
  table: String!
  rows: Int!
  sha256: String!
}

"""The first row (table and key order) where the live tables differ from the replay."""
type ReplayDifference {
  table: String!
  kind: String!
  """Null for cluster-scoped objects."""
  namespace: String
  name: String!
  """from_rev of the differing version (objects, labels)."""
  revision: Revision
  """The replayed row; null when only the live tables have it."""
  expected: JSON
  """The live row; null when the live tables lack it."""
  actual: JSON
  message: String!
}

type ReplayResult {
  """The revision the projections were rebuilt at."""
  revision: Revision!
  """The compaction floor: replay starts from the projections at it (the snapshot)."""
  floor: Revision!
  """Events replayed after the floor."""
  events: Int!
  """Digest of the replayed projections (objects, labels, allocations)."""
  digest: String!
  """Digest of the live projections at the same revision (before the rebuild, with verify: false)."""
  liveDigest: String!
  match: Boolean!
  firstDifference: ReplayDifference
  tables: [TableDigest!]!
  durationMs: Float!
}

extend type Query {
  """The log, filtered; oldest first. Needs the RBAC verb audit."""
  auditLog(filter: AuditFilter, first: Int, after: String): AuditConnection!
  """
  Every version of one object name, oldest first, with the change from the version before: across delete and
  re-create (uid tells the objects apart), for deleted objects too. namespace is required for namespaced kinds.
  """
  history(kind: Kind!, namespace: String, name: String!, first: Int, after: String): ObjectVersionConnection!
}

extend type Mutation {
  """
  Admin: rebuilds the projections from the snapshot at the compaction floor and the log, and compares digests with
  the live tables. verify: true (the default) only compares; verify: false also replaces differing tables with the replay.
  """
  replay(verify: Boolean = true): ReplayResult!
}

extend type Subscription {
  """
  The raw log as it grows, filtered like auditLog. With fromRevision (exclusive): every matching event after it,
  then live ones; without: live events from now. Ends with EXPIRED when fromRevision is compacted, SLOW_CONSUMER
  when the subscriber falls too far behind (resume from the last revision received); a filter with toRevision
  completes once the log has passed it.
  """
  log(filter: AuditFilter, fromRevision: Revision): AuditEntry!
}`;

export const auditModule: SchemaModule = { name: 'audit', typeDefs, resolvers: auditResolvers };
