/**
 * The PostgreSQL schema: the same tables as SQLite's (sqlite/tables.ts), column for column, so a
 * replica copies rows across unchanged and digests compare. Objects are kept as JSON text (not
 * jsonb), byte for byte as the log wrote them. `log_head` is the one-row table whose row lock
 * orders commits across API servers (DESIGN.md §8). Migrations in migrations/postgres/ are
 * generated from this file by drizzle-kit (drizzle.postgres.config.ts).
 */
import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';

/** Revisions and times exceed 32 bits; JavaScript numbers hold them exactly up to 2^53. */
const big = (name: string) => bigint(name, { mode: 'number' });

export const events = pgTable(
  'events',
  {
    // Assigned from log_head under its row lock, not from a sequence: sequences are not commit-ordered.
    revision: big('revision').primaryKey(),
    ts: big('ts').notNull(),
    actor: text('actor').notNull(),
    verb: text('verb').notNull(),
    type: text('type').notNull(),
    kind: text('kind').notNull(),
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
    uid: text('uid').notNull(),
    prevRevision: big('prev_revision'),
    object: text('object').notNull(),
    requestId: text('request_id'),
  },
  (t) => [
    index('events_object').on(t.kind, t.namespace, t.name, t.revision),
    index('events_actor_request').on(t.actor, t.requestId).where(sql`request_id IS NOT NULL`),
    // No index on ts: nothing here reads by time; the replicas search times in revision order (sqlite/log-time.ts).
  ],
);

export const objects = pgTable(
  'objects',
  {
    kind: text('kind').notNull(),
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
    fromRev: big('from_rev').notNull(),
    toRev: big('to_rev'),
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
    // Backs up the replicas' checks: one current version per object, whichever server wrote it.
    uniqueIndex('objects_current').on(t.kind, t.namespace, t.name).where(sql`to_rev IS NULL`),
    // Ended versions only, as SQLite's (compaction deletes by it): current versions, to_rev NULL,
    // would each cost an entry written at create and rewritten at their end, for nothing.
    index('objects_to_rev').on(t.toRev).where(sql`to_rev IS NOT NULL`),
  ],
);

export const labels = pgTable(
  'labels',
  {
    kind: text('kind').notNull(),
    namespace: text('namespace').notNull(),
    name: text('name').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull(),
    fromRev: big('from_rev').notNull(),
    toRev: big('to_rev'),
  },
  (t) => [primaryKey({ columns: [t.kind, t.namespace, t.name, t.key, t.fromRev] }), index('labels_to_rev').on(t.toRev).where(sql`to_rev IS NOT NULL`)],
);

/** Values unique cluster-wide among current objects: the primary key refuses a second holder from any server. */
export const allocations = pgTable(
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

export const storeMeta = pgTable('store_meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});

/** The head of the log: one row (id 1), locked FOR UPDATE by each writing transaction until it commits. */
export const logHead = pgTable('log_head', {
  id: integer('id').primaryKey(),
  head: big('head').notNull(),
});

export const authTokens = pgTable(
  'auth_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    identity: text('identity').notNull(),
    groups: jsonb('groups').$type<string[]>().notNull(),
    createdAt: big('created_at').notNull(),
    expiresAt: big('expires_at'),
    tokenId: text('token_id'),
    issuedBy: text('issued_by'),
    boundNamespace: text('bound_namespace'),
    boundName: text('bound_name'),
    boundUid: text('bound_uid'),
    revokedAt: big('revoked_at'),
    revokedBy: text('revoked_by'),
  },
  (t) => [uniqueIndex('auth_tokens_id').on(t.tokenId), index('auth_tokens_identity').on(t.identity)],
);

export const credentialEvents = pgTable(
  'credential_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ts: big('ts').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    tokenId: text('token_id').notNull(),
    identity: text('identity').notNull(),
    expiresAt: big('expires_at'),
  },
  (t) => [index('credential_events_identity').on(t.identity, t.id)],
);
