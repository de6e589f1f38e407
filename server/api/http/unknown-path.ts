/**
 * A path no part of the server answers: 404 with a body that says where the doors are (GraphQL,
 * the dashboard, the Kubernetes API), instead of yoga's empty 404. JSON for programs, text otherwise.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

const DOORS = {
  graphql: '/graphql (GraphQL over HTTP and WebSocket; GraphiQL in a browser)',
  dashboard: '/ (the dashboard)',
  kubernetes: '/api, /apis, /version, /openapi/v3 (the Kubernetes REST API for kubectl, over https on this port)',
  operations: '/healthz, /readyz, /livez, /metrics',
};

export function unknownPathRoutes(graphqlEndpoint: string, next: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === graphqlEndpoint) return next(req, res);
    const wantsJson = /json/.test(String(req.headers.accept ?? '')) || req.method !== 'GET';
    const message = `no such path: ${path.slice(0, 200)}`;
    const body = wantsJson
      ? JSON.stringify({ code: 'NOT_FOUND', message, paths: DOORS })
      : `${message}\n\nKubeql answers on:\n${Object.values(DOORS).map((d) => `  ${d}`).join('\n')}\n`;
    res.writeHead(404, { 'content-type': wantsJson ? 'application/json' : 'text/plain; charset=utf-8' });
    res.end(body);
  };
}
