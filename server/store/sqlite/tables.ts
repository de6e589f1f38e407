/**
 * The database: the append-only `events` log and the projections built from it in the same
 * transaction. Projections are versioned (`from_rev`, `to_rev`: null while current) so a read at
 * revision N is one indexed query. Cluster-scoped objects have namespace ''.
 * Migrations in migrations/ are generated from this file by drizzle-kit.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const events = sqliteTable(
  'events',
  {
    // No AUTOINCREMENT: revisions are assigned by the group commit, and the head is read from the log (log-head.ts).
    revision: integer('revision').primaryKey(),
    ts: integer('ts').notNull(),
    actor: text('actor').notNull(),
    verb: text('verb').notNull(),
    type: text('type').notNull(),
    kind: text('kind').notNull(),
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
    uid: text('uid').notNull(),
    prevRevision: integer('prev_revision'),
    object: text('object').notNull(),
    requestId: text('request_id'),
  },
  (t) => [
    index('events_object').on(t.kind, t.namespace, t.name, t.revision),
    // Idempotency is per identity: a request id is looked up with its actor.
    index('events_actor_request').on(t.actor, t.requestId).where(sql`request_id IS NOT NULL`),
    // No index on ts: times never fall with revisions, a binary search finds them (log-time.ts).
    // auditLog by actor, namespace or kind alone, in revision order (one index range each).
    index('events_actor').on(t.actor, t.revision),
    index('events_namespace').on(t.namespace, t.revision),
    index('events_kind').on(t.kind, t.revision),
    // A kubelet's watch catching up from the log: one node's pod events, one index range. Only
    // events of bound pods (a node's reads name it): a pod's create, before its bind, adds no entry.
    index('events_pod_node')
      .on(sql`${t.object} ->> '$.spec.nodeName'`, t.revision)
      .where(sql`kind = 'Pod' AND ${t.object} ->> '$.spec.nodeName' IS NOT NULL`),
  ],
);

export const objects = sqliteTable(
  'objects',
  {
    kind: text('kind').notNull(),
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
    fromRev: integer('from_rev').notNull(),
    toRev: integer('to_rev'),
    uid: text('uid').notNull(),
    nodeName: text('node_name'),
    phase: text('phase'),
    controllerUid: text('controller_uid'),
    /**
     * The version's body, JSON; NULL while the event that opened the version (revision from_rev)
     * holds it, so each version is stored once: compaction copies it here before that event goes.
     * Read it as coalesce(object, that event's object).
     */
    object: text('object'),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.namespace, t.name, t.fromRev] }),
    uniqueIndex('objects_current').on(t.kind, t.namespace, t.name).where(sql`to_rev IS NULL`),
    // Current rows that have the value only: most objects have neither (Leases, unbound pods), and a
    // version closed or opened without one touches no page of these indexes.
    index('objects_node').on(t.kind, t.nodeName).where(sql`to_rev IS NULL AND node_name IS NOT NULL`),
    index('objects_controller').on(t.controllerUid).where(sql`to_rev IS NULL AND controller_uid IS NOT NULL`),
    // Closed versions only (what compaction deletes): closing a version appends at the index's end
    // instead of also moving its entry out of the current rows' part, ordered by rowid.
    index('objects_to_rev').on(t.toRev).where(sql`to_rev IS NOT NULL`),
  ],
);

/** The label index, versioned like objects; a row changes only when that label changes. */
export const labels = sqliteTable(
  'labels',
  {
    kind: text('kind').notNull(),
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
    fromRev: integer('from_rev').notNull(),
    toRev: integer('to_rev'),
  },
  (t) => [
    primaryKey({ columns: [t.kind, t.namespace, t.name, t.key, t.fromRev] }),
    // One index for reads at the head and at a past revision (label-liveness.ts): rows of a label
    // value by their end, the largest integer while current, so the current rows are one value and
    // the rows alive at R one range (end > R). A label added is one entry, not one in each of two.
    index('labels_alive').on(t.kind, t.key, t.value, sql`(CASE WHEN ${t.toRev} IS NULL THEN 9223372036854775807 ELSE ${t.toRev} END)`),
    index('labels_to_rev').on(t.toRev).where(sql`to_rev IS NOT NULL`),
  ],
);

/** Values that must be unique cluster-wide among current objects (ClusterIPs, pod CIDRs). */
export const allocations = sqliteTable(
  'allocations',
  {
    pool: text('pool').notNull(),
    value: text('value').notNull(),
    kind: text('kind').notNull(),
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
  },
  (t) => [primaryKey({ columns: [t.pool, t.value] }), index('allocations_owner').on(t.kind, t.namespace, t.name)],
);

/** Store bookkeeping: the compaction floor and the like. */
export const storeMeta = sqliteTable('store_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/**
 * Credentials issued by the API server (service-account and node tokens), by the SHA-256 of the
 * token: the token itself is never stored. `token_id` is the public name of a token (shown at
 * issue, used to revoke it); a service-account token is bound to its account's uid, so it dies with
 * the account. Not a projection of the log: replay leaves it alone.
 */
export const authTokens = sqliteTable(
  'auth_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    identity: text('identity').notNull(),
    groups: text('groups', { mode: 'json' }).$type<string[]>().notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at'),
    /** Null only for tokens issued before ids existed. */
    tokenId: text('token_id'),
    issuedBy: text('issued_by'),
    /** The ServiceAccount a token is bound to: valid only while an account of that name has this uid. */
    boundNamespace: text('bound_namespace'),
    boundName: text('bound_name'),
    boundUid: text('bound_uid'),
    revokedAt: integer('revoked_at'),
    revokedBy: text('revoked_by'),
  },
  (t) => [uniqueIndex('auth_tokens_id').on(t.tokenId), index('auth_tokens_identity').on(t.identity)],
);

/**
 * The audit record of credentials: one row per token issued or revoked, who did it and when;
 * never the token or its hash. Append-only, not a projection of the log (replay leaves it alone).
 */
export const credentialEvents = sqliteTable(
  'credential_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    ts: integer('ts').notNull(),
    actor: text('actor').notNull(),
    /** issue or revoke. */
    action: text('action').notNull(),
    tokenId: text('token_id').notNull(),
    /** The identity the token authenticates as. */
    identity: text('identity').notNull(),
    expiresAt: integer('expires_at'),
  },
  (t) => [index('credential_events_identity').on(t.identity, t.id)],
);
