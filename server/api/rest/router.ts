/**
 * The Kubernetes REST API (DESIGN §9), on the same port as GraphQL: a second door into the same
 * house. Requests under /version, /api, /apis and /openapi are answered here; every other path
 * goes to `next`. The same bearer tokens, RBAC guard, rate limit, body limit and verbs as GraphQL;
 * errors are Kubernetes Status objects.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Store } from '../../store/types.js';
import type { ApiContext } from '../context.js';
import type { Identity } from '../auth/identity.js';
import type { RestTarget } from '../http/priority-levels.js';
import type { WatchEngine } from '../watch/watch-engine.js';
import { selfSubjectAccessReview, selfSubjectRulesReview } from './access-review.js';
import { readBody, parseObjectBody } from './body.js';
import {
  aggregatedContentType,
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  versionInfo,
  wantsAggregated,
} from './discovery.js';
import { openApiDocument } from './openapi.js';
import { parsePath, type Route } from './paths.js';
import { Query } from './query.js';
import { getObject, listObjects } from './read.js';
import type { KindRequest, RestRequest } from './rest-request.js';
import { reasonOf, sendError, sendJson } from './respond.js';
import { RestError } from './status.js';
import { serveSubresource } from './subresources.js';
import { watchObjects } from './watch.js';
import { createFromBody, deleteCollection, deleteOne, patchFromBody, replaceFromBody } from './write.js';

export interface RestParts {
  store: Store;
  watch: WatchEngine;
  /** The request's identity: the one it was admitted as (`schedule`), else from its bearer token. */
  authenticate(req: IncomingMessage): Identity | undefined;
  /** RATE_LIMITED past the identity's rate (a node's heartbeat: past its heartbeat budget). */
  rateLimit(identity: string, req: IncomingMessage): void;
  /** A request's context (guard, actor, warnings), as GraphQL resolvers get it. */
  context(identity: Identity): ApiContext;
  bodyBytes: number;
  /**
   * Admission by priority level (a node's heartbeat, `target` its Lease or its Node's status, at
   * its own; everything else at the workload level): `run` once the request has a seat. Watches are
   * not held to a seat for their whole life.
   */
  schedule?(req: IncomingMessage, res: ServerResponse, target: RestTarget, run: () => void): void;
  /** Request metrics (kubeql_request_duration_seconds): the Kubernetes verb, the kind, OK or the Status reason. */
  observe?(labels: { verb: string; kind: string; code: string }, seconds: number): void;
}

/** The Kubernetes verb of a request on a resource, as audit and metrics name it. */
function verbOf(method: string, route: Extract<Route, { type: 'resource' }>, watch: boolean): string {
  if (route.subresource) return `${method === 'GET' ? 'get' : method.toLowerCase()}:${route.subresource}`;
  switch (method) {
    case 'GET':
    case 'HEAD':
      return route.name ? 'get' : watch ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return route.name ? 'delete' : 'deletecollection';
  }
  return method.toLowerCase();
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

function unauthorized(): RestError {
  return new RestError(401, 'Unauthorized', 'Unauthorized: a valid bearer token is required (Authorization: Bearer <token>)', undefined, { 'www-authenticate': 'Bearer realm="kubeql"' });
}

function methodNotAllowed(method: string, what: string): RestError {
  return new RestError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource: ${method} ${what}`);
}

function discovery(route: Route, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(req.method ?? '', 'discovery');
  if (route.type === 'api' || route.type === 'apis') {
    const aggregated = wantsAggregated(req.headers.accept);
    if (aggregated) return sendJson(res, 200, aggregatedDiscovery(route.type === 'api', aggregated), { contentType: aggregatedContentType(aggregated) });
    if (route.type === 'api') return sendJson(res, 200, apiVersions(req.headers.host ?? '127.0.0.1'));
    return sendJson(res, 200, apiGroupList());
  }
  const notFound = () => new RestError(404, 'NotFound', `the server could not find the requested resource (${req.url?.slice(0, 200)})`);
  if (route.type === 'group') {
    const group = apiGroup(route.group);
    if (!group) throw notFound();
    return sendJson(res, 200, group);
  }
  if (route.type === 'groupVersion') {
    const list = apiResourceList(route.group, route.version);
    if (!list) throw notFound();
    return sendJson(res, 200, list);
  }
}

async function resourceRequest(r: RestRequest): Promise<void> {
  const { method, resource } = r;
  if (!resource.def) {
    // SelfSubjectAccessReview and SelfSubjectRulesReview: create only.
    if (method !== 'POST' || r.name) throw methodNotAllowed(method, resource.resource);
    const body = parseObjectBody(await r.body(), r.req.headers['content-type']);
    const review = resource.kind === 'SelfSubjectRulesReview' ? selfSubjectRulesReview : selfSubjectAccessReview;
    return sendJson(r.res, 201, review(r.ctx.guard, body));
  }
  const k: KindRequest = { ...r, kind: resource.def };
  if (!resource.namespaced && r.namespace) throw new RestError(404, 'NotFound', `${resource.resource} are not namespaced`);
  if (r.subresource) return serveSubresource(k);
  if (r.name) {
    if (resource.namespaced && !r.namespace) throw new RestError(404, 'NotFound', `the server could not find the requested resource: ${resource.resource} are namespaced`);
    switch (method) {
      case 'GET':
      case 'HEAD':
        return getObject(k);
      case 'PUT':
        return replaceFromBody(k);
      case 'PATCH':
        return patchFromBody(k);
      case 'DELETE':
        return deleteOne(k);
    }
    throw methodNotAllowed(method, resource.resource);
  }
  switch (method) {
    case 'GET':
    case 'HEAD':
      return r.query.bool('watch') ? watchObjects(k) : listObjects(k);
    case 'POST':
      return createFromBody(k);
    case 'DELETE':
      return deleteCollection(k);
  }
  throw methodNotAllowed(method, resource.resource);
}

export function restRoutes(parts: RestParts, next: RequestListener): RequestListener {
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    let route: Route | undefined;
    try {
      route = parsePath(path);
    } catch (e) {
      req.resume();
      return sendError(res, e);
    }
    if (!route) return next(req, res);
    const search = q < 0 ? '' : url.slice(q + 1);
    const run = () =>
      void serve(parts, route, req, res, search).catch((e) => {
        req.resume();
        sendError(res, e);
      });
    const watching = route.type === 'resource' && /(^|&)watch=(1|true)(&|$)/.test(search);
    if (parts.schedule && route.type === 'resource' && !watching) {
      const length = req.headers['content-length'];
      const bytes = length !== undefined && /^\d{1,15}$/.test(length) ? Number(length) : undefined;
      parts.schedule(req, res, { method: req.method ?? 'GET', kind: route.resource.kind, namespace: route.namespace, name: route.name, subresource: route.subresource, bytes }, run);
    }
    else run();
  };
}

async function serve(parts: RestParts, route: Route, req: IncomingMessage, res: ServerResponse, search: string): Promise<void> {
  const method = req.method ?? 'GET';
  if (!METHODS.has(method)) throw methodNotAllowed(method, 'this path');
  if (route.type === 'version') return sendJson(res, 200, versionInfo());
  const identity = parts.authenticate(req);
  if (!identity) throw unauthorized();
  parts.rateLimit(identity.name, req);
  if (route.type === 'openapi') {
    if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, 'openapi');
    const doc = openApiDocument(route.rest);
    if (!doc) throw new RestError(404, 'NotFound', `the server could not find the requested resource (${req.url?.slice(0, 200)})`);
    return sendJson(res, 200, doc);
  }
  if (route.type !== 'resource') return discovery(route, req, res);

  const ctx = parts.context(identity);
  const query = new Query(search);
  const started = process.hrtime.bigint();
  const verb = verbOf(method, route, /(^|&)watch=(1|true)(&|$)/.test(search));
  let observed = false;
  const observe = () => {
    if (observed || !parts.observe) return;
    observed = true;
    const code = res.statusCode < 400 ? 'OK' : (reasonOf(res) ?? String(res.statusCode));
    parts.observe({ verb, kind: route.resource.kind, code }, Number(process.hrtime.bigint() - started) / 1e9);
  };
  res.once('finish', observe);
  res.once('close', observe);
  let body: Promise<Buffer> | undefined;
  const r: RestRequest = {
    req,
    res,
    method,
    query,
    ctx,
    store: parts.store,
    watch: parts.watch,
    resource: route.resource,
    namespace: route.namespace,
    name: route.name,
    subresource: route.subresource,
    body: () => (body ??= readBody(req, parts.bodyBytes)),
    subject: { resource: route.resource.resource, group: route.resource.group, kind: route.resource.kind, name: route.name },
  };
  try {
    await resourceRequest(r);
    // A watch is observed when its stream has started (as a GraphQL subscription is), anything else when answered.
    if (verb === 'watch') observe();
  } catch (e) {
    req.resume();
    sendError(res, e, r.subject);
  }
}
