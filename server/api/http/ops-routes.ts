/**
 * The operator's endpoints, in front of the GraphQL handler and open without a token (DESIGN §7):
 * `/healthz` (the process serves), `/livez` (and its database is open), `/readyz` (database open,
 * migrations applied, log writable, not shutting down) answer plain `ok` (200) or the failing
 * check (503); `/metrics` is the Prometheus text format. Nothing else is exposed here.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { HealthCheck, Store } from '../../store/types.js';

export interface OpsParts {
  store: Store;
  registry: Registry;
  /** True once shutdown began: not ready any more. */
  shuttingDown(): boolean;
}

export function opsRoutes(parts: OpsParts, next: RequestListener): RequestListener {
  const checks: Record<string, () => HealthCheck[]> = {
    '/healthz': () => [],
    '/livez': () => parts.store.health().filter((c) => c.name === 'database'),
    '/readyz': () => [...parts.store.health(), { name: 'shutdown', ok: !parts.shuttingDown(), message: 'the server is shutting down' }],
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return next(req, res);
    const check = checks[path];
    if (check) return answer(res, check());
    if (path === '/metrics')
      return void parts.registry.metrics().then(
        (text) => send(res, 200, parts.registry.contentType, text),
        (error: Error) => send(res, 500, 'text/plain; charset=utf-8', `metrics failed: ${error.message}\n`),
      );
    return next(req, res);
  };
}

function answer(res: ServerResponse, checks: HealthCheck[]): void {
  const failed = checks.find((c) => !c.ok);
  if (!failed) return send(res, 200, 'text/plain; charset=utf-8', 'ok');
  send(res, 503, 'text/plain; charset=utf-8', `${failed.name} failed${failed.message ? `: ${failed.message}` : ''}`);
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
