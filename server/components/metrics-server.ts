/**
 * A component's own metrics endpoint (`--metrics-port`): GET /metrics in the Prometheus text
 * format from the given registry, GET /healthz `ok`; nothing else. Port 0 picks a free port.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServer {
  /** http://host:port/metrics */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(registry: Registry, port: number, host = '127.0.0.1'): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain; charset=utf-8', 'GET only');
    if (path === '/healthz') return send(200, 'text/plain; charset=utf-8', 'ok');
    if (path !== '/metrics') return send(404, 'text/plain; charset=utf-8', 'try /metrics');
    registry.metrics().then(
      (text) => send(200, registry.contentType, text),
      (error: Error) => send(500, 'text/plain; charset=utf-8', `metrics failed: ${error.message}`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  // Once listening, a server error (an accept failure) is reported, not thrown: it must not end the component.
  server.on('error', (error) => process.stderr.write(`${JSON.stringify({ level: 'error', msg: `HTTP server error: ${error.message}` })}\n`));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}/metrics`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Parses a `--metrics-port` value: a port number (0 for any free port); undefined when the flag is absent. */
export function metricsPort(value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--metrics-port must be a port number, not ${value}`);
  return port;
}
