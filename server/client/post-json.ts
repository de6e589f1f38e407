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

/** The error of an exchange that took longer than its timeout; the request may have run (`code` ETIMEDOUT). */
export class ResponseTimeout extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'ResponseTimeout';
  }
}

/**
 * POSTs `body` to `url` (or sends it with `method`: the REST API's PUT and PATCH). With
 * `timeoutMs`, an exchange not finished by then (a server that accepts and never answers: stopped,
 * wedged, a half-open connection) is abandoned with ResponseTimeout and its connection destroyed.
 *
 * The timeout runs from the moment the request has a connection, not from the call: in a bounded
 * pool (connection-pool.ts) a request may first wait for one, and that wait says nothing about the
 * server. Counted from the call, a request that waited most of its time in the queue would be
 * abandoned moments after it was sent, on a server that was only slow, and its connection destroyed:
 * the pool then connects again, and under load those connects meet a full accept queue.
 */
export function postJson(url: URL, headers: Record<string, string>, body: string, timeoutMs?: number, pool: ConnectionPool = processConnectionPool, method = 'POST'): Promise<JsonAnswer> {
  const secure = url.protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const failed = (error: unknown) => {
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    const req = send(
      url,
      { method, agent: secure ? pool.https : pool.http, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          settled = true;
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', failed);
      },
    );
    req.once('socket', (socket) => {
      pool.noteSocket(socket);
      if (!settled && timeoutMs !== undefined && timeoutMs > 0)
        timer = setTimeout(() => {
          // Answered first; the connection goes with its request (its errors settle nothing now).
          failed(new ResponseTimeout(timeoutMs));
          req.destroy();
        }, timeoutMs);
    });
    req.on('error', failed);
    req.end(body);
  });
}
