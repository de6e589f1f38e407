/**
 * Admin endpoints in front of the GraphQL handler: `GET /admin/backup` streams a consistent online
 * snapshot of the database (SQLite's backup API into a temporary file, then streamed and removed)
 * while writers go on. Needs a bearer token whose identity may `backup` (access.ts): 401 without
 * one, 403 when not allowed. The snapshot's head revision is in the `X-Kubeql-Revision` header.
 */
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../store/types.js';
import { BACKUP } from '../audit/access.js';
import type { Attributes } from '../auth/attributes.js';
import type { Identity } from '../auth/identity.js';
import { createLogger } from '../../logging/logger.js';

const log = createLogger('api');

export interface AdminParts {
  store: Store;
  /** The identity behind an Authorization header, if any (the API's authenticator). */
  authenticate(authorization: string | undefined): Identity | undefined;
  /** The RBAC decision (the API's authorizer). */
  allows(identity: Identity, a: Attributes): boolean;
  /** Where the snapshot file is made (default: the OS temporary directory). */
  tmpDir?: string;
}

function error(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

async function backup(parts: AdminParts, res: ServerResponse): Promise<void> {
  const dir = mkdtempSync(join(parts.tmpDir ?? tmpdir(), 'kubeql-backup-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    const file = join(dir, 'kubeql.db');
    const info = await parts.store.backup(file);
    const dump = info.format === 'pg_dump';
    res.writeHead(200, {
      // A PostgreSQL store's backup is pg_dump's custom format (pg_restore reads it).
      'content-type': dump ? 'application/octet-stream' : 'application/vnd.sqlite3',
      'content-length': info.bytes,
      'content-disposition': `attachment; filename="kubeql-${info.revision}.${dump ? 'dump' : 'db'}"`,
      'cache-control': 'no-store',
      'x-kubeql-revision': String(info.revision),
      'x-kubeql-floor': String(info.floor),
    });
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    res.on('close', cleanup);
    stream.pipe(res);
  } catch (e) {
    cleanup();
    log.error({ err: e }, 'backup failed');
    if (!res.headersSent) error(res, 500, 'INTERNAL_SERVER_ERROR', 'backup failed');
    else res.destroy();
  }
}

export function adminRoutes(parts: AdminParts, next: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/admin/backup') return next(req, res);
    if (req.method !== 'GET') return error(res, 405, 'BAD_USER_INPUT', `${req.method} ${path}: only GET`, { allow: 'GET' });
    const identity = parts.authenticate(req.headers.authorization);
    if (!identity)
      return error(res, 401, 'UNAUTHENTICATED', 'a valid bearer token is required: send "Authorization: Bearer <token>"', { 'www-authenticate': 'Bearer' });
    if (!parts.allows(identity, BACKUP))
      return error(res, 403, 'FORBIDDEN', `User "${identity.name}" cannot backup resource "log" in API group "kubeql.io" at the cluster scope`);
    void backup(parts, res);
  };
}
