/** Issued credentials, by token hash, and their audit record (see tables.ts authTokens, credentialEvents). */
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { authTokens, credentialEvents } from './tables.js';
import type { CredentialEvent, TokenRecord, TokenStore } from '../records.js';

/** Token records kept in memory at most. */
const FOUND_LIMIT = 10_000;

export function tokenStore(db: BetterSQLite3Database): TokenStore {
  const record = (e: Omit<CredentialEvent, 'id'>) => db.insert(credentialEvents).values(e).run();
  // Every request with an issued token looks its hash up: prepared once, not built per call.
  const byHash = db.select().from(authTokens).where(eq(authTokens.tokenHash, sql.placeholder('hash'))).prepare();
  // ...and is answered from memory after the first time: only this store changes the table (save,
  // revoke), and each of those drops what it makes stale. Bounded: emptied when full.
  const found = new Map<string, TokenRecord>();
  return {
    save(token) {
      found.delete(token.tokenHash);
      db.transaction(() => {
        db.insert(authTokens).values(token).run();
        record({ ts: token.createdAt, actor: token.issuedBy, action: 'issue', tokenId: token.tokenId, identity: token.identity, expiresAt: token.expiresAt });
      });
    },
    find(tokenHash) {
      const known = found.get(tokenHash);
      if (known) return known;
      const row = byHash.get({ hash: tokenHash });
      if (row) {
        if (found.size >= FOUND_LIMIT) found.clear();
        found.set(tokenHash, row);
      }
      return row;
    },
    byId(tokenId) {
      const found = db.select().from(authTokens).where(eq(authTokens.tokenId, tokenId)).get();
      if (!found) return undefined;
      const { tokenHash: _hash, ...rest } = found;
      return rest;
    },
    revoke(tokenId, actor, at) {
      found.clear();
      return db.transaction(() => {
        const done = db
          .update(authTokens)
          .set({ revokedAt: at, revokedBy: actor })
          .where(and(eq(authTokens.tokenId, tokenId), isNull(authTokens.revokedAt)))
          .returning({ identity: authTokens.identity, expiresAt: authTokens.expiresAt })
          .all();
        if (done.length === 0) return false;
        record({ ts: at, actor, action: 'revoke', tokenId, identity: done[0].identity, expiresAt: done[0].expiresAt });
        return true;
      });
    },
    events({ identity, afterId, limit }) {
      const where = identity === undefined ? gt(credentialEvents.id, afterId) : and(gt(credentialEvents.id, afterId), eq(credentialEvents.identity, identity));
      return db.select().from(credentialEvents).where(where).orderBy(asc(credentialEvents.id)).limit(limit).all() as CredentialEvent[];
    },
  };
}
