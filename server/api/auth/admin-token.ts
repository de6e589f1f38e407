/** The admin token: written at the API server's first start to $DATA_DIR/admin.token (mode 0600) and kept across restarts. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function newToken(): string {
  return `kq_${randomBytes(32).toString('base64url')}`;
}

export function adminTokenPath(dataDir: string): string {
  return join(dataDir, 'admin.token');
}

export function ensureAdminToken(dataDir: string): string {
  const path = adminTokenPath(dataDir);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const token = newToken();
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return token;
}
