/**
 * create (POST), update (PUT), patch (PATCH), delete and deletecollection (DELETE) of the REST API:
 * the request checked against its URL, then the same verbs as GraphQL's mutations
 * (verbs/object-writes.ts), in the same transactions, under the same identity.
 */
import type { KObject } from '../../resources/kind.js';
import type { FieldValidation } from '../../resources/validate-object.js';
import { isPlainObject } from '../../resources/shape.js';
import type { PropagationPolicy } from '../verbs/delete.js';
import { createObject, deleteObject, storeFor, updateObject, type DeleteRequest } from '../verbs/object-writes.js';
import { patch } from '../verbs/patch.js';
import { mediaType, parseJson, parseObjectBody } from './body.js';
import { checkDepth, patchBody, patchTypeOf } from './patch-types.js';
import { readList, selection, sendObject } from './read.js';
import type { KindRequest } from './rest-request.js';
import { sendJson } from './respond.js';
import { RestError, badRequest } from './status.js';

const POLICIES = ['Background', 'Foreground', 'Orphan'] as const;
/** A grace period longer than a year is refused (Kubernetes takes any int64; a bound keeps arithmetic exact). */
const MAX_GRACE = 365 * 24 * 3600;

/**
 * Parameters every write accepts. fieldValidation says what a field the kind's schema does not
 * declare does; absent, it is Warn, the API server's default in Kubernetes (kubectl sends Strict
 * itself unless told --validate=warn or false).
 */
function writeParams(r: KindRequest): { dryRun: boolean; fieldValidation: FieldValidation } {
  const manager = r.query.string('fieldManager');
  if (manager !== undefined && manager.length > 128) throw badRequest('fieldManager must be at most 128 characters');
  const fieldValidation = r.query.oneOf('fieldValidation', ['Ignore', 'Warn', 'Strict'] as const) ?? 'Warn';
  r.query.bool('pretty');
  return { dryRun: r.query.dryRun(), fieldValidation };
}

/** The object of a create or update body, its namespace matched against the URL's. */
async function objectBody(r: KindRequest): Promise<Record<string, unknown>> {
  const body = parseObjectBody(await r.body(), r.req.headers['content-type']);
  checkDepth(body);
  if (!isPlainObject(body)) throw badRequest('the request body must be a JSON object');
  if (body.metadata !== undefined && !isPlainObject(body.metadata)) throw new RestError(422, 'Invalid', 'metadata: Invalid value: must be an object', { causes: [{ reason: 'FieldValueInvalid', message: 'must be an object', field: 'metadata' }] });
  const metadata = { ...((body.metadata as Record<string, unknown> | undefined) ?? {}) };
  if (r.kind.namespaced) {
    if (metadata.namespace !== undefined && metadata.namespace !== '' && metadata.namespace !== r.namespace)
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    metadata.namespace = r.namespace;
  }
  return { ...body, metadata };
}

export async function createFromBody(r: KindRequest): Promise<void> {
  const { dryRun, fieldValidation } = writeParams(r);
  if (r.kind.namespaced && !r.namespace) throw new RestError(404, 'NotFound', `the server could not find the requested resource: ${r.kind.resource} are namespaced; POST to /namespaces/<namespace>/${r.kind.resource}`);
  const input = await objectBody(r);
  const meta = input.metadata as Record<string, unknown>;
  r.subject.name = typeof meta.name === 'string' ? meta.name : undefined;
  const object = await createObject(r.ctx, r.kind, input, { dryRun, path: '', fieldValidation });
  sendObject(r, object, 201);
}

export async function replaceFromBody(r: KindRequest): Promise<void> {
  const { dryRun, fieldValidation } = writeParams(r);
  const input = await objectBody(r);
  const meta = input.metadata as Record<string, unknown>;
  if (meta.name === undefined || meta.name === '') meta.name = r.name;
  const object = await updateObject(r.ctx, r.kind, input, { dryRun, path: '', fieldValidation, expect: { namespace: r.namespace, name: r.name! } });
  sendObject(r, object);
}

export async function patchFromBody(r: KindRequest): Promise<void> {
  const { dryRun, fieldValidation } = writeParams(r);
  if (r.query.bool('force') && mediaType(r.req.headers['content-type']) !== 'application/apply-patch+yaml') throw badRequest('force is only allowed with server-side apply');
  const type = patchTypeOf(r.req.headers['content-type']);
  const body = patchBody(await r.body());
  // The same patch verb as GraphQL's patch<Kind>; errors name the patch as `body`.
  const { object, warnings } = await patch({ ...r.ctx, store: storeFor(r.ctx, dryRun) }, r.kind, { namespace: r.namespace, name: r.name! }, type, body, 'body', { fieldValidation });
  r.ctx.warnings.push(...warnings);
  sendObject(r, object);
}

/** DeleteOptions from the body (kubectl sends them there) and the query, the query winning where both say. */
async function deleteOptions(r: KindRequest): Promise<Omit<DeleteRequest, 'name'> & { dryRun: boolean }> {
  const raw = (await r.body()).toString('utf8');
  const body = raw.trim() === '' ? {} : parseJson(raw);
  if (!isPlainObject(body)) throw badRequest('DeleteOptions must be a JSON object');
  const fromBody = {
    propagationPolicy: body.propagationPolicy,
    gracePeriodSeconds: body.gracePeriodSeconds,
    preconditions: body.preconditions,
    dryRun: body.dryRun,
    orphanDependents: body.orphanDependents,
  };
  const policy = r.query.oneOf('propagationPolicy', POLICIES) ?? fromBody.propagationPolicy ?? (fromBody.orphanDependents === true ? 'Orphan' : undefined);
  if (policy !== undefined && !(POLICIES as readonly unknown[]).includes(policy)) throw badRequest(`propagationPolicy: ${JSON.stringify(policy)} is not one of ${POLICIES.join(', ')}`);
  const grace = r.query.int('gracePeriodSeconds', MAX_GRACE) ?? fromBody.gracePeriodSeconds;
  if (grace !== undefined && grace !== null && (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0 || grace > MAX_GRACE))
    throw badRequest(`gracePeriodSeconds must be an integer between 0 and ${MAX_GRACE}`);
  const pre = fromBody.preconditions;
  if (pre !== undefined && pre !== null && !isPlainObject(pre)) throw badRequest('preconditions must be an object');
  const uid = pre?.uid;
  const resourceVersion = pre?.resourceVersion;
  if ((uid !== undefined && uid !== null && typeof uid !== 'string') || (resourceVersion !== undefined && resourceVersion !== null && typeof resourceVersion !== 'string'))
    throw badRequest('preconditions.uid and preconditions.resourceVersion must be strings');
  const bodyDryRun = fromBody.dryRun;
  if (bodyDryRun !== undefined && bodyDryRun !== null && (!Array.isArray(bodyDryRun) || bodyDryRun.some((v) => v !== 'All'))) throw badRequest('dryRun: only ["All"] is supported');
  const dryRun = writeParams(r).dryRun || (Array.isArray(bodyDryRun) && bodyDryRun.length > 0);
  return {
    namespace: r.namespace,
    propagationPolicy: policy as PropagationPolicy | undefined,
    gracePeriodSeconds: grace as number | undefined,
    uid: uid as string | undefined,
    resourceVersion: resourceVersion as string | undefined,
    dryRun,
  };
}

export async function deleteOne(r: KindRequest): Promise<void> {
  const { dryRun, ...options } = await deleteOptions(r);
  const object = await deleteObject(r.ctx, r.kind, { ...options, name: r.name! }, { dryRun });
  // Still there (finalizers, a grace period): 202 with the deleting object; gone: 200 with its last state.
  const stays = Boolean(object.metadata.deletionTimestamp) && r.store.get(r.kind.kind, r.namespace ?? '', r.name!) !== undefined && !dryRun;
  sendObject(r, object, stays ? 202 : 200);
}

/** deletecollection: every selected object, each deleted as its own write (as Kubernetes does); answers the list of what was deleted. */
export async function deleteCollection(r: KindRequest): Promise<void> {
  const { dryRun, ...options } = await deleteOptions(r);
  const sel = selection(r, 'list');
  const { items } = readList(r, sel);
  const deleted: KObject[] = [];
  for (const item of items) {
    try {
      deleted.push(await deleteObject(r.ctx, r.kind, { ...options, namespace: item.metadata.namespace, name: item.metadata.name, resourceVersion: undefined, uid: undefined }, { dryRun }));
    } catch (e) {
      // Gone meanwhile (deleted by another client): nothing left to do for it.
      if ((e as { code?: string }).code !== 'NOT_FOUND') throw e;
    }
  }
  sendJson(r.res, 200, { kind: `${r.kind.kind}List`, apiVersion: r.kind.apiVersion, metadata: { resourceVersion: String(r.store.head()) }, items: deleted });
}
