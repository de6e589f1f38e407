/**
 * The common request — POST /graphql with a JSON body of known length, asking for a JSON answer —
 * executed on node:http through yoga's public envelop path (`yoga.getEnveloped`: parse, validate,
 * context, execute with every envelop plugin: limits, error masking, metrics, the request log,
 * warnings), as the WebSocket path executes its operations. What it skips is the fetch-API
 * adaptation of a node request (a Request with body streams and an AbortController each) and
 * yoga's per-request promise chains, which cost more than the execution of a small mutation.
 *
 * Anything unusual goes to yoga whole, through public APIs only: requests it does not take at all
 * to yoga's node handler; bodies that are not one well-formed operation (invalid JSON, a batch,
 * unknown parameters), a subscription, or a browser's cross-origin request, to `yoga.fetch` with
 * the body already read. The answer's HTTP status is the highest `extensions.http.status` among the
 * errors (401 UNAUTHENTICATED, 429 RATE_LIMITED), else 200 (request errors included, as the
 * GraphQL-over-HTTP spec wants for application/json); `extensions.http` is not shown.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { GraphQLError, getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import type { YogaServerInstance } from 'graphql-yoga';
import { createLogger } from '../../logging/logger.js';
import { isPlainObject } from '../../resources/plain-object.js';
import { maskError } from '../plugins/mask-errors.js';
import { NodeRequest } from './node-request.js';

const log = createLogger('api');
const CONTENT_LENGTH = /^\d+$/;
/** Larger bodies go to yoga, which streams them. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Only `application/json` (yoga answers `application/graphql-response+json` with other statuses). */
const JSON_ACCEPT = /^application\/json(;\s*charset=utf-8)?$/i;
const PARAMS = new Set(['query', 'variables', 'operationName', 'extensions']);

interface Params {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  extensions?: Record<string, unknown> | null;
}

/** One well-formed operation, or undefined (yoga words the error for anything else). */
function paramsOf(body: string): Params | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isPlainObject(value) || typeof value.query !== 'string') return undefined;
  for (const key of Object.keys(value)) if (!PARAMS.has(key)) return undefined;
  const optional = (v: unknown, ok: (v: unknown) => boolean) => v === undefined || v === null || ok(v);
  if (!optional(value.variables, isPlainObject) || !optional(value.extensions, isPlainObject) || !optional(value.operationName, (v) => typeof v === 'string')) return undefined;
  return value as unknown as Params;
}

/** Errors thrown before execution (parse, a limit rule, authentication, the rate limit), masked as every answer's errors are. */
function thrownErrors(error: unknown): GraphQLError[] {
  const list = error instanceof AggregateError ? error.errors : [error];
  return list.map((e) => maskError(e instanceof GraphQLError ? e : new GraphQLError(e instanceof Error ? e.message : String(e), { originalError: e instanceof Error ? e : undefined }), 'Unexpected error.') as GraphQLError);
}

/** `spec`: a status the GraphQL-over-HTTP spec gives for application/graphql-response+json only (400 for a request error). */
type HttpExtension = { status?: number; headers?: Record<string, string>; spec?: boolean };

/** The answer: status and headers from the errors' `extensions.http`, which the body leaves out. */
function writeResult(res: ServerResponse, result: ExecutionResult): void {
  let status = 200;
  const headers: Record<string, string> = {};
  const errors = result.errors?.map((e) => {
    const json = (e instanceof GraphQLError ? e.toJSON() : e) as { extensions?: Record<string, unknown> };
    const { http, unexpected: _unexpected, ...extensions } = json.extensions ?? {};
    const h = http as HttpExtension | undefined;
    // An application/json answer is 200 for a request error, as the GraphQL-over-HTTP spec says.
    if (h?.status && !h.spec && h.status > status) status = h.status;
    if (h?.headers) Object.assign(headers, h.headers);
    return { ...json, extensions: Object.keys(extensions).length ? extensions : undefined };
  });
  const body = JSON.stringify(errors ? { ...result, errors } : result);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** What admission may class a request by: its operation's text and its body's size, when the fast path read them. */
export interface ReadOperation {
  query: string;
  bytes: number;
}

/** Admission of a request (priority-levels.ts): `run` handles it when its turn comes; `operation` when the body was read and is one operation. */
export type Schedule = (req: IncomingMessage, res: ServerResponse, operation: ReadOperation | undefined, run: () => void) => void;

const runNow: Schedule = (_req, _res, _operation, run) => run();

export interface FastPathOptions {
  /** Bodies over this go to yoga, whose body-size plugin answers 413 PAYLOAD_TOO_LARGE (default 4 MiB). */
  maxBodyBytes?: number;
  /** Every GraphQL request is admitted through this (its priority level) before it runs. */
  schedule?: Schedule;
}

/**
 * A listener for node:http: the fast path for what it takes, `yoga` for everything else. A body of
 * undeclared length (chunked) is read here first, at most `maxBodyBytes` of it (past that: 413
 * PAYLOAD_TOO_LARGE, the connection closed); yoga then takes it as read (`req.body`, as it takes a
 * body an Express body parser has read). A declared length over the limit is refused by the limits plugin.
 */
export function withFastJsonPost(yoga: YogaServerInstance<any, any>, options: FastPathOptions = {}): RequestListener {
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const schedule = options.schedule ?? runNow;
  const endpoint = yoga.graphqlEndpoint;
  // Every GraphQL request goes through `schedule` (its priority level), other paths straight to yoga.
  const yogaNode: RequestListener = (req, res) => (req.url === endpoint || req.url?.startsWith(`${endpoint}?`) ? schedule(req, res, undefined, () => yoga(req, res)) : yoga(req, res));
  const bounded: RequestListener = (req, res) => {
    if (req.headers['transfer-encoding'] === undefined || req.method === 'GET' || req.method === 'HEAD') return yogaNode(req, res);
    readBounded(req, res, maxBodyBytes, (body) => {
      (req as IncomingMessage & { body?: Buffer }).body = body;
      yogaNode(req, res);
    });
  };
  const maxBody = Math.min(MAX_BODY_BYTES, maxBodyBytes);

  function eligible(req: IncomingMessage): boolean {
    if (req.method !== 'POST' || req.url !== endpoint) return false;
    const { headers } = req;
    const contentType = headers['content-type']?.split(',')[0];
    if (contentType !== 'application/json' && !contentType?.startsWith('application/json;')) return false;
    const length = headers['content-length'];
    if (length === undefined || !CONTENT_LENGTH.test(length) || Number(length) > maxBody) return false;
    return headers['transfer-encoding'] === undefined && headers.accept !== undefined && JSON_ACCEPT.test(headers.accept);
  }

  /** yoga answers, through its public fetch handler, with the body already read. */
  async function toYoga(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    const response: Response = await yoga.fetch(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, { method: req.method, headers, body }, { req, res });
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => (out[name] = value));
    const bytes = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, response.statusText, out);
    res.end(bytes);
  }

  /** `params`: the body's operation, parsed once (undefined: yoga words what is wrong with it). */
  async function respond(req: IncomingMessage, res: ServerResponse, body: Buffer, text: string, params: Params | undefined): Promise<void> {
    if (!params) return toYoga(req, res, body);
    const request = new NodeRequest(req, res, text);
    const env = yoga.getEnveloped({ request, req, res, params });
    let document: DocumentNode;
    try {
      document = env.parse(params.query);
      const invalid = env.validate(env.schema, document);
      // As yoga answers them: the validation errors themselves (coded by its validation plugin).
      if (invalid.length) return writeResult(res, { errors: invalid });
    } catch (error) {
      return writeResult(res, { errors: thrownErrors(error) });
    }
    // Subscriptions are answered by yoga (over HTTP it refuses a JSON answer for them).
    if (getOperationAST(document, params.operationName)?.operation === 'subscription') return toYoga(req, res, body);
    let contextValue: unknown;
    try {
      contextValue = await env.contextFactory();
    } catch (error) {
      return writeResult(res, { errors: thrownErrors(error) });
    }
    const result = (await env.execute({ schema: env.schema, document, contextValue, variableValues: params.variables, operationName: params.operationName })) as ExecutionResult;
    writeResult(res, result);
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
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      const text = body.toString('utf-8');
      // Parsed once, here: admission classes the request by its operation, then it runs.
      const params = req.headers.origin === undefined ? paramsOf(text) : undefined;
      schedule(req, res, params && { query: params.query, bytes: body.length }, () =>
        void respond(req, res, body, text, params).catch((error: unknown) => {
          log.error({ err: error }, 'unexpected error while handling a request');
          if (!res.headersSent) writeResult(res, { errors: thrownErrors(error) });
          else res.destroy();
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
