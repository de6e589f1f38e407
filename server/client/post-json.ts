/**
 * POST a JSON body and read the answer, over node:http (or https). The global fetch would do, but
 * loading it (undici) costs a short-lived command such as `kq get pods` about 40 ms of its 300.
 * Connections are kept alive between requests of one process.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface JsonAnswer {
  status: number;
  text: string;
}

/**
 * Every connection a burst opened is kept for the next one (Node's default keeps 256 idle and
 * closes the rest): a process that runs many clients (the node agents, one per node) would
 * otherwise close and reopen hundreds of connections per burst, a storm of connects that
 * overflows the server's accept queue. Idle connections end when the server closes them.
 */
const KEEP_ALIVE = { keepAlive: true, maxFreeSockets: Number.MAX_SAFE_INTEGER };
const agents = { http: new HttpAgent(KEEP_ALIVE), https: new HttpsAgent(KEEP_ALIVE) };

/** The error of an exchange that took longer than its timeout; the request may have run (`code` ETIMEDOUT). */
export class ResponseTimeout extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'ResponseTimeout';
  }
}

/**
 * POSTs `body` to `url`. With `timeoutMs`, an exchange not finished by then (a server that accepts
 * and never answers: stopped, wedged, a half-open connection) is abandoned with ResponseTimeout and
 * its connection destroyed.
 */
export function postJson(url: URL, headers: Record<string, string>, body: string, timeoutMs?: number): Promise<JsonAnswer> {
  const secure = url.protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const failed = (error: unknown) => {
      clearTimeout(timer);
      reject(error);
    };
    const req = send(
      url,
      { method: 'POST', agent: secure ? agents.https : agents.http, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', failed);
      },
    );
    req.on('error', failed);
    if (timeoutMs !== undefined && timeoutMs > 0)
      timer = setTimeout(() => {
        // Answered first; the connection goes with its request (its errors settle nothing now).
        reject(new ResponseTimeout(timeoutMs));
        req.destroy();
      }, timeoutMs);
    req.end(body);
  });
}
