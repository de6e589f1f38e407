/**
 * get and list of the REST API over the store's reads: list chunking with `limit`/`continue` at the
 * revision of the first page, label and field selectors, and Kubernetes' `resourceVersion` /
 * `resourceVersionMatch` semantics (unset: the head; `0`: any, the head; `N` NotOlderThan: the
 * head once it is at N; `N` Exact: the state at revision N, time travel from the log).
 */
import type { KObject } from '../../resources/kind.js';
import { parseFieldSelector } from '../../resources/selectors/field-selector.js';
import { parseLabelSelector } from '../../resources/selectors/label-selector.js';
import { attributesFor } from '../auth/attributes.js';
import { readableNamespaces } from '../auth/readable-namespaces.js';
import { decodeCursor, encodeCursor } from '../schema/cursor.js';
import type { KindRequest } from './rest-request.js';
import { sendJson } from './respond.js';
import { RestError, badRequest } from './status.js';
import { table, wantsTable, type IncludeObject } from './table.js';

/** A page is at most this long, whatever `limit` asks (Kubernetes allows a server to answer fewer, with a continue token). */
export const MAX_PAGE = 10_000;

const tableContentType = (v: string) => `application/json;as=Table;v=${v};g=meta.k8s.io`;

function notFound(r: KindRequest): RestError {
  const what = r.resource.group ? `${r.kind.resource}.${r.resource.group}` : r.kind.resource;
  return new RestError(404, 'NotFound', `${what} "${r.name}" not found`, { name: r.name, group: r.resource.group, kind: r.kind.resource });
}

/** The revision a `resourceVersion` parameter names ('' and absent: none). */
export function revisionParam(text: string | undefined, name = 'resourceVersion'): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) throw badRequest(`${name}: ${JSON.stringify(text.slice(0, 64))} is not a valid resource version`);
  return Number(text);
}

export function tooLarge(revision: number, head: number): RestError {
  return new RestError(504, 'Timeout', `Too large resource version: ${revision}, current: ${head}`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
}

/**
 * Runs `serve` once this server's view of the log has reached `revision` (Store.reach: a server
 * sharing a PostgreSQL log may be a moment behind a revision the client saw on another). One it
 * cannot reach in time is Kubernetes' "Too large resource version" (504, retry after a second).
 */
export function whenReachedOrTooLarge(r: KindRequest, revision: number | undefined, serve: () => void): void | Promise<void> {
  if (revision === undefined || revision <= r.store.head()) return serve();
  return r.store.reach(revision).then(serve, () => {
    throw tooLarge(revision, r.store.head());
  });
}

/** The revision a list asks for (its continue token's, or resourceVersion), to wait for; undefined when none or malformed (readList refuses those). */
function listRevision(r: KindRequest): number | undefined {
  const continueToken = r.query.string('continue');
  try {
    return continueToken ? decodeCursor(continueToken).revision : revisionParam(r.query.string('resourceVersion'));
  } catch {
    return undefined;
  }
}

function includeObject(r: KindRequest): IncludeObject {
  return r.query.oneOf('includeObject', ['None', 'Metadata', 'Object'] as const) ?? 'Metadata';
}

export function getObject(r: KindRequest): void | Promise<void> {
  const namespace = r.kind.namespaced ? r.namespace : undefined;
  if (r.kind.namespaced && namespace === undefined) throw notFound(r);
  r.ctx.guard.check(attributesFor(r.kind, 'get', { namespace, name: r.name }));
  const rv = revisionParam(r.query.string('resourceVersion'));
  return whenReachedOrTooLarge(r, rv, () => {
    const head = r.store.head();
    if (rv !== undefined && rv > head) throw tooLarge(rv, head);
    const object = r.store.get(r.kind.kind, namespace ?? '', r.name!);
    if (!object) throw notFound(r);
    sendObject(r, object);
  });
}

/** An object, or a one-row Table when the client asked for one. */
export function sendObject(r: KindRequest, object: KObject, code = 200): void {
  const asTable = wantsTable(r.req.headers.accept);
  if (asTable) return sendJson(r.res, code, table(r.kind, [object], { include: includeObject(r), version: asTable }), { contentType: tableContentType(asTable), warnings: r.ctx.warnings });
  sendJson(r.res, code, object, { warnings: r.ctx.warnings });
}

export interface ListSelection {
  namespace?: string;
  namespaces?: readonly string[];
  labelSelector: ReturnType<typeof parseLabelSelector>;
  fieldSelector: ReturnType<typeof parseFieldSelector>;
}

/** The selectors and row-level scope of a list, watch or deletecollection; FORBIDDEN when the verb is not allowed. */
export function selection(r: KindRequest, verb: 'list' | 'watch'): ListSelection {
  const namespace = r.kind.namespaced ? r.namespace : undefined;
  const namespaces = readableNamespaces(r.ctx.guard, r.kind, verb, namespace);
  const labelSelector = parseLabelSelector(r.query.string('labelSelector') ?? '');
  const fieldSelector = parseFieldSelector(r.query.string('fieldSelector') ?? '', ['metadata.name', 'metadata.namespace', ...r.kind.fieldSelectors]);
  return { namespace, namespaces, labelSelector, fieldSelector };
}

/** The objects a list selects, read at one revision (pages of MAX_PAGE without a limit). */
export function readList(r: KindRequest, sel: ListSelection) {
  const limitParam = r.query.int('limit', Number.MAX_SAFE_INTEGER);
  const limit = limitParam ? Math.min(limitParam, MAX_PAGE) : undefined;
  const continueToken = r.query.string('continue') || undefined;
  const rvText = r.query.string('resourceVersion');
  const match = r.query.oneOf('resourceVersionMatch', ['NotOlderThan', 'Exact'] as const);
  const rv = revisionParam(rvText);
  if (match && rvText === undefined) throw badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
  if (match === 'Exact' && rv === 0) throw badRequest('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  if (continueToken && rvText !== undefined && rvText !== '' && rvText !== '0') throw badRequest('specifying resource version is not allowed when using continue');

  const head = r.store.head();
  let atRevision: number | undefined;
  let after: { namespace: string; name: string } | undefined;
  if (continueToken) {
    let cursor;
    try {
      cursor = decodeCursor(continueToken);
    } catch {
      throw badRequest('continue key is not valid: not a token this server issued');
    }
    if (cursor.revision > head) throw badRequest('continue key is not valid: its resource version is newer than the server has');
    if (cursor.revision < r.store.floor())
      throw new RestError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    atRevision = cursor.revision;
    after = { namespace: cursor.namespace, name: cursor.name };
  } else if (rv !== undefined && rv > 0) {
    if (rv > head) throw tooLarge(rv, head);
    if (match === 'Exact') atRevision = rv;
  }

  const query = {
    kind: r.kind.kind,
    namespace: sel.namespace,
    namespaces: sel.namespaces,
    labelSelector: sel.labelSelector,
    fieldSelector: sel.fieldSelector,
  };
  if (limit !== undefined) {
    const page = r.store.list({ ...query, after, limit, atRevision });
    const last = page.items.at(-1);
    const next = page.hasMore && last ? encodeCursor({ revision: page.revision, namespace: last.metadata.namespace ?? '', name: last.metadata.name }) : undefined;
    return { items: page.items, revision: page.revision, continue: next };
  }
  const items: KObject[] = [];
  let revision = atRevision;
  for (;;) {
    const page = r.store.list({ ...query, after, limit: MAX_PAGE, atRevision: revision });
    items.push(...page.items);
    revision = page.revision;
    const last = page.items.at(-1);
    if (!page.hasMore || !last) break;
    after = { namespace: last.metadata.namespace ?? '', name: last.metadata.name };
  }
  return { items, revision: revision!, continue: undefined };
}

export function listObjects(r: KindRequest): void | Promise<void> {
  const sel = selection(r, 'list');
  return whenReachedOrTooLarge(r, listRevision(r), () => sendList(r, sel));
}

function sendList(r: KindRequest, sel: ListSelection): void {
  const list = readList(r, sel);
  const resourceVersion = String(list.revision);
  const asTable = wantsTable(r.req.headers.accept);
  if (asTable)
    return sendJson(r.res, 200, table(r.kind, list.items, { include: includeObject(r), version: asTable, resourceVersion, continue: list.continue }), {
      contentType: tableContentType(asTable),
    });
  sendJson(r.res, 200, {
    kind: `${r.kind.kind}List`,
    apiVersion: r.kind.apiVersion,
    metadata: { resourceVersion, ...(list.continue ? { continue: list.continue } : {}) },
    items: list.items,
  });
}

