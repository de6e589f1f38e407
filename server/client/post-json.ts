/**
 * POST a JSON body and read the answer, over node:http (or https). The global fetch would do, but
 * loading it (undici) costs a short-lived command such as `kq get pods` about 40 ms of its 300.
 * Connections are kept alive between requests, in the client's connection pool (connection-pool.ts).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { processConnectionPool, type ConnectionPool } from './connection-pool.js';

export interface JsonAnswer {
  status: number;
  text: string;
}

export function postJson(url: URL, headers: Record<string, string>, body: string, pool: ConnectionPool = processConnectionPool): Promise<JsonAnswer> {
  const secure = url.protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method: 'POST', agent: secure ? pool.https : pool.http, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.once('socket', (socket) => pool.noteSocket(socket));
    req.on('error', reject);
    req.end(body);
  });
}
