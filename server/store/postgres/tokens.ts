/**
 * Issued credentials on PostgreSQL, shared by every API server: a token issued on one server
 * authenticates on all. The TokenStore interface is synchronous (every request looks a token up),
 * so each server keeps them in its replica, like the log: `save` and `revoke` change the replica at
 * once (the issuing server honours the token immediately) and are written to PostgreSQL through
 * the store's serial queue, with a NOTIFY; every server then copies the new credential events and
 * the tokens they name into its replica. The credential audit record (`events`) is PostgreSQL's,
 * ids included, as replicated.
 */
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import type pg from 'pg';
import type { Replica } from '../sqlite/replica.js';
import type { SerialQueue } from './serial-queue.js';
import { authTokens, credentialEvents } from '../sqlite/tables.js';
import type { CredentialEvent, TokenRecord, TokenStore } from '../records.js';

export const TOKENS_CHANNEL = 'kubeql_tokens';

const TOKEN_COLUMNS = 'token_hash, identity, groups, created_at, expires_at, token_id, issued_by, bound_namespace, bound_name, bound_uid, revoked_at, revoked_by';

export interface ReplicatedTokens {
  tokens: TokenStore;
  /** Copies credential events (and their tokens) newer than the replica's into it. */
  pull(): Promise<void>;
}

export function replicatedTokens(pool: pg.Pool, replica: Replica, queue: SerialQueue, credentialId: number, onError: (error: unknown) => void): ReplicatedTokens {
  const { db, sqlite } = replica;
  let lastId = credentialId;
  const upsertToken = sqlite.prepare(`INSERT OR REPLACE INTO auth_tokens (${TOKEN_COLUMNS}) VALUES (${TOKEN_COLUMNS.split(', ').map(() => '?').join(', ')})`);
  const insertEvent = sqlite.prepare('INSERT OR IGNORE INTO credential_events (id, ts, actor, action, token_id, identity, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)');

  /** Runs a change in PostgreSQL after the replica took it; a failure is reported, the replica keeps the change. */
  function writeThrough(text: string, values: unknown[]): void {
    queue
      .run(async () => {
        await pool.query(text, values);
        await pull();
      })
      .catch(onError);
  }

  async function pull(): Promise<void> {
    const { rows: events } = await pool.query<CredentialEvent>(
      'SELECT id, ts, actor, action, token_id AS "tokenId", identity, expires_at AS "expiresAt" FROM credential_events WHERE id > $1 ORDER BY id',
      [lastId],
    );
    if (events.length === 0) return;
    const ids = [...new Set(events.map((e) => e.tokenId))];
    const { rows: tokens } = await pool.query({ text: `SELECT ${TOKEN_COLUMNS.replace('groups', 'groups::text')} FROM auth_tokens WHERE token_id = ANY($1)`, values: [ids], rowMode: 'array' });
    sqlite.transaction(() => {
      for (const row of tokens as unknown[][]) upsertToken.run(row);
      for (const e of events) insertEvent.run(e.id, e.ts, e.actor, e.action, e.tokenId, e.identity, e.expiresAt);
    })();
    lastId = events[events.length - 1].id;
  }

  const byHash = db.select().from(authTokens).where(eq(authTokens.tokenHash, sql.placeholder('hash'))).prepare();
  const tokens: TokenStore = {
    save(token) {
      db.insert(authTokens).values(token).run();
      writeThrough(
        `WITH t AS (INSERT INTO auth_tokens (${TOKEN_COLUMNS}) VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9, $10, NULL, NULL) RETURNING token_id)
         , e AS (INSERT INTO credential_events (ts, actor, action, token_id, identity, expires_at) SELECT $4, $7, 'issue', token_id, $2, $5 FROM t RETURNING id)
         SELECT pg_notify('${TOKENS_CHANNEL}', id::text) FROM e`,
        [token.tokenHash, token.identity, JSON.stringify(token.groups), token.createdAt, token.expiresAt, token.tokenId, token.issuedBy, token.boundNamespace, token.boundName, token.boundUid],
      );
    },
    find: (tokenHash) => byHash.get({ hash: tokenHash }) as TokenRecord | undefined,
    byId(tokenId) {
      const found = db.select().from(authTokens).where(eq(authTokens.tokenId, tokenId)).get();
      if (!found) return undefined;
      const { tokenHash: _hash, ...rest } = found;
      return rest;
    },
    revoke(tokenId, actor, at) {
      const done = db
        .update(authTokens)
        .set({ revokedAt: at, revokedBy: actor })
        .where(and(eq(authTokens.tokenId, tokenId), isNull(authTokens.revokedAt)))
        .returning({ identity: authTokens.identity })
        .all();
      if (done.length === 0) return false;
      writeThrough(
        `WITH t AS (UPDATE auth_tokens SET revoked_at = $2, revoked_by = $3 WHERE token_id = $1 AND revoked_at IS NULL RETURNING token_id, identity, expires_at)
         , e AS (INSERT INTO credential_events (ts, actor, action, token_id, identity, expires_at) SELECT $2, $3, 'revoke', token_id, identity, expires_at FROM t RETURNING id)
         SELECT pg_notify('${TOKENS_CHANNEL}', id::text) FROM e`,
        [tokenId, at, actor],
      );
      return true;
    },
    events({ identity, afterId, limit }) {
      const where = identity === undefined ? gt(credentialEvents.id, afterId) : and(gt(credentialEvents.id, afterId), eq(credentialEvents.identity, identity));
      return db.select().from(credentialEvents).where(where).orderBy(asc(credentialEvents.id)).limit(limit).all() as CredentialEvent[];
    },
  };
  return { tokens, pull };
}
