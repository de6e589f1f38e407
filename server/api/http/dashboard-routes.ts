/**
 * The dashboard's static files (dashboard/), served at `/` and `/dashboard/...` without a token,
 * like GraphiQL: the page asks for a token and its data goes through the API like any client's.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { packagePath } from '../../package-root.js';

const root = packagePath('dashboard');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export function dashboardRoutes(next: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || (path !== '/' && !path.startsWith('/dashboard/'))) return next(req, res);
    const relative = path === '/' ? 'index.html' : decodeURIComponent(path.slice('/dashboard/'.length));
    const file = normalize(join(root, relative));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return void res.end('not found');
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    createReadStream(file).pipe(res);
  };
}
