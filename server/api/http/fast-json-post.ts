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
import { createLogger } from '../../logging/logger.js';

const log = createLogger('api');

const CONTENT_LENGTH = /^\d+$/;
/** Larger bodies go to yoga, which streams them. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Answered by yoga's regular processor (one JSON result), or 406 for a subscription: never a stream. */
const JSON_ACCEPT = /^(application\/json|application\/graphql-response\+json)(;\s*charset=utf-8)?(,\s*(application\/json|application\/graphql-response\+json)(;\s*charset=utf-8)?)?$/i;

/** A listener for node:http: the fast path for what it takes, `yoga` for everything else. */
export function withFastJsonPost(yoga: YogaServerInstance<any, any>): RequestListener {
  const handle = leanYogaHandler(yoga);
  if (!handle) return yoga;
  const endpoint = yoga.graphqlEndpoint;
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

  async function respond(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const request = new NodeRequest(req, res, body.toString('utf-8'));
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
      yoga(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      respond(req, res, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).catch((error: unknown) => {
        log.error({ err: error }, 'unexpected error while handling a request');
        res.destroy();
      });
    });
  };
}
