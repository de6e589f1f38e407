/**
 * The agents process's debug HTTP endpoint: GET /routes (the proxy's routing table as JSON),
 * GET /pick?to=IP:PORT[&protocol=TCP] (the endpoint the next connection would reach, round robin),
 * GET /nodes (each agent's node, podCIDR and pods), GET /connections (the process's connections to
 * the API server: HTTP per pool, WebSocket handshakes), GET /memory (the process's memory: RSS, V8
 * heap used and reserved, per heap space, and memory outside the heap), GET /healthz.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getHeapSpaceStatistics } from 'node:v8';

/** Where the process's memory is, in MiB: what tells live objects from heap the GC has not given back, and both from memory outside V8. */
function memory() {
  const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  const usage = process.memoryUsage();
  return {
    rss: mib(usage.rss),
    heapUsed: mib(usage.heapUsed),
    heapTotal: mib(usage.heapTotal),
    external: mib(usage.external),
    arrayBuffers: mib(usage.arrayBuffers),
    spaces: Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, { used: mib(s.space_used_size), size: mib(s.space_size) }])),
  };
}

export interface DebugViews {
  routes(): unknown;
  pick(ip: string, port: number, protocol: string): string | undefined;
  nodes(): unknown;
  connections?(): unknown;
}

export async function startDebugServer(port: number, views: DebugViews, host = '127.0.0.1'): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body, null, 2));
    };
    if (req.method !== 'GET') return send(405, { error: 'GET only' });
    switch (url.pathname) {
      case '/routes':
        return send(200, views.routes());
      case '/nodes':
        return send(200, views.nodes());
      case '/connections':
        return views.connections ? send(200, views.connections()) : send(404, { error: 'no connection counts here' });
      case '/memory':
        return send(200, memory());
      case '/healthz':
        return send(200, { ok: true });
      case '/pick': {
        const m = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(url.searchParams.get('to') ?? '');
        if (!m) return send(400, { error: 'to=IP:PORT is required' });
        const protocol = url.searchParams.get('protocol') ?? 'TCP';
        const endpoint = views.pick(m[1], Number(m[2]), protocol);
        return endpoint ? send(200, { endpoint }) : send(503, { error: `no endpoint for ${m[1]}:${m[2]}/${protocol}` });
      }
      default:
        return send(404, { error: 'try /routes, /pick?to=IP:PORT, /nodes, /connections, /memory or /healthz' });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  // Once listening, a server error (an accept failure) is reported, not thrown: it must not end the component.
  server.on('error', (error) => process.stderr.write(`${JSON.stringify({ level: 'error', msg: `HTTP server error: ${error.message}` })}\n`));
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
