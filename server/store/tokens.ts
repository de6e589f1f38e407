/** Issued credentials, by token hash (see tables.ts authTokens). */
import { eq } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { authTokens } from './tables.js';

export interface TokenRecord {
  tokenHash: string;
  identity: string;
  groups: string[];
  createdAt: number;
  expiresAt: number | null;
}

export function tokenStore(db: BetterSQLite3Database) {
  return {
    save(record: TokenRecord): void {
      db.insert(authTokens).values(record).run();
    },
    find(tokenHash: string): TokenRecord | undefined {
      return db.select().from(authTokens).where(eq(authTokens.tokenHash, tokenHash)).get();
    },
  };
}
