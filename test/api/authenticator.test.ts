import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../server/api/auth/authenticator.js';
import { ADMIN, nodeIdentity } from '../../server/api/auth/identity.js';
import { createStore } from '../../server/store/sqlite/create-store.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('authenticator: the token hashes it keeps decide what a token is, never whether it is still valid', () => {
  it('after a flood of made-up tokens (past the memo bound), every kind of token authenticates as before; a revoked one that was known stops at once', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kubeql-authn-'));
    dirs.push(dataDir);
    // A static token longer than the memo keeps (its hash is worked out each time) works as well.
    const long = 'L'.repeat(4_000);
    writeFileSync(join(dataDir, 'tokens.csv'), `static-secret,alice,u1,"devs"\n${long},bob,u2\n`);
    const store = createStore({ dataDir, synchronous: 'FULL' });
    try {
      const authn = createAuthenticator(store, dataDir);
      const bearer = (token: string) => `Bearer ${token}`;
      const node = authn.issue(nodeIdentity('n1'), { ttlSeconds: 3600, issuedBy: 'admin' });
      const other = authn.issue(nodeIdentity('n2'), { ttlSeconds: 3600, issuedBy: 'admin' });
      // Known first, so their hashes are kept.
      expect(authn.authenticate(bearer(node.token))?.name).toBe('system:node:n1');
      expect(authn.authenticate(bearer(authn.adminToken))).toBe(ADMIN);
      for (let i = 0; i < 20_000; i++) expect(authn.authenticate(bearer(`made-up-${i}`))).toBeUndefined();
      expect(authn.authenticate(bearer(authn.adminToken))).toBe(ADMIN);
      expect(authn.authenticate(bearer('static-secret'))).toMatchObject({ name: 'alice', groups: ['devs', 'system:authenticated'] });
      for (let i = 0; i < 3; i++) expect(authn.authenticate(bearer(long))?.name).toBe('bob');
      // Long made-up tokens (a header's worth each) are refused alike.
      for (let i = 0; i < 100; i++) expect(authn.authenticate(bearer(`${i}`.padEnd(8_000, 'x')))).toBeUndefined();
      expect(authn.authenticate(bearer(node.token))?.name).toBe('system:node:n1');
      expect(authn.authenticate(bearer(other.token))?.name).toBe('system:node:n2');
      // A token one character off the admin's is nobody.
      const last = authn.adminToken.slice(-1);
      expect(authn.authenticate(bearer(`${authn.adminToken.slice(0, -1)}${last === 'x' ? 'y' : 'x'}`))).toBeUndefined();
      expect(store.tokens.revoke(node.tokenId, 'admin', Date.now())).toBe(true);
      expect(authn.authenticate(bearer(node.token))).toBeUndefined();
      expect(authn.authenticate(bearer(other.token))?.name).toBe('system:node:n2');
    } finally {
      store.close();
    }
  });
});
