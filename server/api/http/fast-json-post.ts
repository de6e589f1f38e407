/**
 * The fast path of yoga's common request — POST /graphql with a small JSON body, asking for a
 * JSON answer — on node:http: the body is read into a light request object (node-request.ts),
 * yoga handles it with every hook of every plugin (yoga-handle.ts: request hooks, request parsing,
 * params hooks, the envelop plugins through getEnveloped, result processing, response hooks), and
 * the answer is written straight to the node response (send-response.ts). What it skips is yoga's
 * fetch-API adaptation of node requests (a Request with body streams and an AbortController
 * each) and the promise chaining between the steps. Every other request goes to yoga's node
 * handler as before.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { YogaServerInstance } from 'graphql-yoga';
import { NodeRequest } from './node-request.js';
import { sendResponse } from './send-response.js';
import { leanYogaHandler } from './yoga-handle.js';

const CONTENT_LENGTH = /^\d+$/;
/** Larger bodies go to yoga, which streams them. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Answered by yoga's regular processor (one JSON result), or 406 for a subscription: never a stream. */
const JSON_ACCEPT = /^(application\/json|application\/graphql-response\+json)(;\s*charset=utf-8)?(,\s*(application\/json|application\/graphql-response\+json)(;\s*charset=utf-8)?)?$/i;

/** Admission of a request (priority-levels.ts): `run` handles it when its turn comes; `body` is the JSON text when it was read. */
export type Schedule = (req: IncomingMessage, res: ServerResponse, body: string | undefined, run: () => void) => void;

const runNow: Schedule = (_req, _res, _body, run) => run();

/**
 * A listener for node:http: the fast path for what it takes, `yoga` for everything else. A body of
 * undeclared length (chunked) is read here first, at most `maxBodyBytes` of it (past that: 413
 * PAYLOAD_TOO_LARGE, the connection closed); yoga then takes it as read (`req.body`, as it takes a
 * body an Express body parser has read). A declared length over the limit is refused by the limits plugin.
 */
export function withFastJsonPost(yoga: YogaServerInstance<any, any>, maxBodyBytes = MAX_BODY_BYTES, schedule: Schedule = runNow): RequestListener {
  const handle = leanYogaHandler(yoga);
  const endpoint = yoga.graphqlEndpoint;
  // Every GraphQL request goes through `schedule` (its priority level), other paths straight to yoga.
  const toYoga: RequestListener = (req, res) => (req.url === endpoint || req.url?.startsWith(`${endpoint}?`) ? schedule(req, res, undefined, () => yoga(req, res)) : yoga(req, res));
  const bounded: RequestListener = (req, res) => {
    if (req.headers['transfer-encoding'] === undefined || req.method === 'GET' || req.method === 'HEAD') return toYoga(req, res);
    readBounded(req, res, maxBodyBytes, (body) => {
      (req as IncomingMessage & { body?: Buffer }).body = body;
      toYoga(req, res);
    });
  };
  if (!handle) return bounded;
  const waitUntil = yoga.waitUntil;
  const ResponseClass = yoga.fetchAPI.Response;

  function eligible(req: IncomingMessage): boolean {
    if (req.method !== 'POST' || req.url !== endpoint) return false;
    const { headers } = req;
    const contentType = headers['content-type']?.split(',')[0];
    if (contentType !== 'application/json' && !contentType?.startsWith('application/json;')) return false;
    const length = headers['content-length'];
    if (length === undefined || !CONTENT_LENGTH.test(length) || Number(length) > MAX_BODY_BYTES) return false;
    return headers['transfer-encoding'] === undefined && headers.accept !== undefined && JSON_ACCEPT.test(headers.accept);
  }

  async function respond(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const request = new NodeRequest(req, res, body);
    let response: Response;
    try {
      response = await handle!(request, { req, res, waitUntil });
    } catch (error) {
      // As yoga's node handler answers an error thrown out of yoga.
      const e = error as { stack?: string; message?: string; status?: number };
      response = new ResponseClass(e.stack || e.message || String(error), { status: e.status || 500 });
    }
    await sendResponse(response, res);
  }

  return function listener(req, res) {
    if (!eligible(req)) {
      bounded(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const body = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf-8');
      schedule(req, res, body, () =>
        void respond(req, res, body).catch((error: unknown) => {
          console.error(`Unexpected error while handling request: ${(error as Error)?.message ?? error}`);
          res.destroy();
        }),
      );
    });
  };
}

/** How much of a refused body is read and dropped (so the client reads the 413) before the connection is cut. */
const DISCARD_FACTOR = 8;

/**
 * Reads a request body of undeclared length into one buffer. Past `limit` bytes it keeps nothing,
 * drops the rest as it arrives and answers 413 at its end (answering while the client still sends
 * would reach it as a reset, not an answer); past DISCARD_FACTOR times the limit it cuts the connection.
 */
function readBounded(req: IncomingMessage, res: ServerResponse, limit: number, done: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  req.on('error', () => res.destroy());
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
    else if (!refused) {
      refused = true;
      chunks.length = 0;
    } else if (size > limit * DISCARD_FACTOR) req.socket.destroy();
  });
  req.on('end', () => {
    if (!refused) return done(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    const message = `request body of ${size} bytes is larger than the limit of ${limit}`;
    res.writeHead(413, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ message, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }));
  });
}
