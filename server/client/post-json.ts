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
 * At most MAX_CONNECTIONS connections to a server per process; more requests at once wait here
 * for one (as client-go's rate limits hold a controller back). Without a bound, a burst (a
 * ReplicaSet's hundreds of creates, hundreds of nodes' status posts) opens a connection per
 * request: hundreds of connects a second that wait in the server's accept queue, where a probe's
 * new connection waited up to 20 s, and that the server's seats (256 for workload) could not run
 * at once anyway. Every connection opened is kept for the next burst rather than closed and opened
 * again (Node's default keeps 256 idle); idle ones end when the server closes them.
 */
export const MAX_CONNECTIONS = 256;
const KEEP_ALIVE = { keepAlive: true, maxSockets: MAX_CONNECTIONS, maxFreeSockets: MAX_CONNECTIONS };
const agents = { http: new HttpAgent(KEEP_ALIVE), https: new HttpsAgent(KEEP_ALIVE) };

export function postJson(url: URL, headers: Record<string, string>, body: string): Promise<JsonAnswer> {
  const secure = url.protocol === 'https:';
  const send = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method: 'POST', agent: secure ? agents.https : agents.http, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
