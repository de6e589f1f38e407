/**
 * Bearer tokens to identities: the admin token, users from a static token file
 * ($DATA_DIR/tokens.csv, Kubernetes' format: token,user,uid,"group1,group2"), and tokens the API
 * server issued to service accounts and nodes (kept as SHA-256 hashes in the store), while not
 * revoked, not expired, and (service accounts) while the account they were issued for exists.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../../store/types.js';
import { ensureAdminToken, newToken } from './admin-token.js';
import { ADMIN, type Identity } from './identity.js';
import type { TokenRecord } from '../../store/records.js';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Tokens whose hash is kept (a plane's nodes and components); past this, the memo starts over. */
const HASHES_KEPT = 8_192;
/** Only tokens this long are kept (the server's own are 46 characters): the memo holds at most 4 MiB of them, whatever the headers carry. */
const LONGEST_KEPT = 512;

function staticTokens(dataDir: string): Map<string, Identity> {
  const path = join(dataDir, 'tokens.csv');
  const users = new Map<string, Identity>();
  if (!existsSync(path)) return users;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = line.trim().match(/^([^,]+),([^,]+),([^,]*)(?:,"?([^"]*)"?)?$/);
    if (!m) continue;
    const groups = (m[4] ?? '').split(',').map((g) => g.trim()).filter(Boolean);
    users.set(hash(m[1]), { name: m[2], groups: [...groups, 'system:authenticated'] });
  }
  return users;
}

export function createAuthenticator(store: Store, dataDir: string) {
  const adminToken = ensureAdminToken(dataDir);
  const adminHash = Buffer.from(hash(adminToken));
  const users = staticTokens(dataDir);
  /**
   * Each token's hash, and whether it is the admin's, worked out once while it recurs: every request
   * of a client sends the same token, and its SHA-256 and the constant-time comparison were 2.5% of a
   * small write. Only what the token is, never whether it is valid (revocation, expiry and bound
   * accounts are checked on every request); bounded, emptied when full (a flood of made-up tokens
   * costs what it cost before, a hash each).
   */
  const hashes = new Map<string, { hash: string; admin: boolean }>();
  function digestOf(token: string): { hash: string; admin: boolean } {
    let known = hashes.get(token);
    if (!known) {
      const h = hash(token);
      known = { hash: h, admin: timingSafeEqual(Buffer.from(h), adminHash) };
      if (token.length > LONGEST_KEPT) return known;
      if (hashes.size >= HASHES_KEPT) hashes.clear();
      hashes.set(token, known);
    }
    return known;
  }

  return {
    adminToken,
    /** The identity behind an `Authorization: Bearer <token>` value, or undefined. */
    authenticate(authorization: string | null | undefined): Identity | undefined {
      const m = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
      if (!m) return undefined;
      const { hash: h, admin } = digestOf(m[1]);
      if (admin) return ADMIN;
      const user = users.get(h);
      if (user) return user;
      const issued = store.tokens.find(h);
      if (!issued || !stillValid(issued)) return undefined;
      return { name: issued.identity, groups: issued.groups };
    },
    /** A new token for `identity`; only its hash is kept, and the issue is recorded (never the token). */
    issue(identity: Identity, options: IssueOptions): IssuedCredential {
      const token = newToken();
      const now = Date.now();
      const tokenId = randomUUID();
      const expiresAt = now + options.ttlSeconds * 1000;
      store.tokens.save({
        tokenHash: hash(token),
        tokenId,
        identity: identity.name,
        groups: identity.groups,
        createdAt: now,
        expiresAt,
        issuedBy: options.issuedBy,
        boundNamespace: options.boundTo?.namespace ?? null,
        boundName: options.boundTo?.name ?? null,
        boundUid: options.boundTo?.uid ?? null,
      });
      return { token, tokenId, expiresAt };
    },
  };

  /** Not revoked, not expired, and, when bound to a ServiceAccount, that account still exists with the same uid and is not being deleted. */
  function stillValid(t: TokenRecord): boolean {
    if (t.revokedAt !== null) return false;
    if (t.expiresAt !== null && t.expiresAt <= Date.now()) return false;
    if (t.boundUid === null) return true;
    const account = store.get('ServiceAccount', t.boundNamespace ?? '', t.boundName ?? '');
    return account !== undefined && account.metadata.uid === t.boundUid && !account.metadata.deletionTimestamp;
  }
}

export interface IssueOptions {
  /** Lifetime; the caller has applied the maximum. */
  ttlSeconds: number;
  /** Who asked for it (the audit record's actor). */
  issuedBy: string;
  /** The ServiceAccount a token dies with. */
  boundTo?: { namespace: string; name: string; uid: string };
}

export interface IssuedCredential {
  token: string;
  tokenId: string;
  expiresAt: number;
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
