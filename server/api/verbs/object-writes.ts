/**
 * The writes of one object as a request asks for them, whichever door it came through (the GraphQL
 * mutations, the Kubernetes REST API): authorization, one store write, the verb, and the warnings
 * of unknown fields. A dry run runs the same write and rolls it back. (Patches: verbs/patch.ts.)
 */
import { KubeqlError, badInput } from '../../errors.js';
import type { KObject, KindDef } from '../../resources/kind.js';
import { prepareObject, prepareStatus } from '../../resources/validate-object.js';
import type { Store, WriteTx } from '../../store/types.js';
import { attributesFor, type Attributes } from '../auth/attributes.js';
import type { Guard } from '../auth/guard.js';
import { bindInTx, checkNodeName } from './bind.js';
import { createInTx } from './create.js';
import { deleteInTx, type PropagationPolicy } from './delete.js';
import { earlierResult } from './request-id.js';
import { checkReplicas, scaleInTx } from './scale.js';
import { updateStatusInTx } from './update-status.js';
import { updateInTx } from './update.js';
import type { VerbContext } from './verb-context.js';
import { writeExisting, type WriteTarget } from './write-existing.js';

export type WriteContext = VerbContext & { store: Store; guard: Guard };

export interface WriteOptions {
  requestId?: string | null;
  /** Run the write, answer its result, and roll it back (Kubernetes' dryRun=All). */
  dryRun?: boolean;
  /** Where the input sits in the request, for error paths (`input`, `body`). */
  path?: string;
}

/** Carries a dry run's result out of its write, whose throwing rolls the savepoint back. */
class DryRunResult<T> {
  constructor(readonly result: T) {}
}

/** `store.write`, or for a dry run the same write rolled back. */
export async function writeOrDryRun<T>(store: Store, dryRun: boolean | undefined, fn: (tx: WriteTx) => T): Promise<T> {
  if (!dryRun) return store.write(fn);
  try {
    await store.write((tx) => {
      throw new DryRunResult(fn(tx));
    });
  } catch (e) {
    if (e instanceof DryRunResult) return unversioned(store, e.result as T);
    throw e;
  }
  throw new Error('a dry run must end in its result');
}

/**
 * A dry run's object carries the resourceVersion of what is stored, as Kubernetes answers it (the
 * revision it would have had is not one): the live object's, or none for a create.
 */
function unversioned<T>(store: Store, result: T): T {
  const o = result as Partial<KObject> | undefined;
  if (!o || typeof o.kind !== 'string' || typeof o.metadata?.name !== 'string') return result;
  const live = store.get(o.kind, o.metadata.namespace ?? '', o.metadata.name);
  return { ...o, metadata: { ...o.metadata, resourceVersion: live?.metadata.resourceVersion ?? '' } } as T;
}

/** A store that runs every write as a dry run when asked. */
export function storeFor(ctx: { store: Store }, dryRun: boolean | undefined): Store {
  if (!dryRun) return ctx.store;
  return Object.assign(Object.create(ctx.store) as Store, { write: <T>(fn: (tx: WriteTx) => T) => writeOrDryRun(ctx.store, true, fn) });
}

export async function createObject(ctx: WriteContext, kind: KindDef, input: unknown, options: WriteOptions = {}): Promise<KObject> {
  const path = options.path ?? 'input';
  const prepared = prepareObject(kind, input, path);
  ctx.guard.check(attributesFor(kind, 'create', prepared.object.metadata));
  const meta = prepared.object.metadata;
  const request = { verb: 'create' as const, kind: kind.kind, namespace: kind.namespaced ? (meta.namespace as string) : '', name: meta.name || undefined, generateName: meta.generateName || undefined };
  const object = await writeOrDryRun(
    ctx.store,
    options.dryRun,
    (tx) => earlierResult(tx, ctx.actor, options.requestId, request) ?? createInTx(tx, ctx, kind, prepared, { verb: 'create', requestId: options.requestId, path }),
  );
  ctx.warnings.push(...prepared.warnings);
  return object;
}

/** A full update; `metadata.resourceVersion` of the input is the precondition. `expect` names the object the request addressed. */
export async function updateObject(
  ctx: WriteContext,
  kind: KindDef,
  input: unknown,
  options: WriteOptions & { expect?: { namespace?: string; name: string } } = {},
): Promise<KObject> {
  const path = options.path ?? 'input';
  const prepared = prepareObject(kind, input, path);
  const { name, namespace, resourceVersion } = prepared.object.metadata;
  if (!name) throw badInput(`${path}.metadata.name`, 'Required value');
  if (options.expect) {
    if (name !== options.expect.name)
      throw badInput(`${path}.metadata.name`, `Invalid value: ${JSON.stringify(name)}: the name of the object (${name}) does not match the name on the URL (${options.expect.name})`);
    if (kind.namespaced && namespace !== options.expect.namespace)
      throw badInput(`${path}.metadata.namespace`, `Invalid value: ${JSON.stringify(namespace)}: the namespace of the object (${namespace}) does not match the namespace on the URL (${options.expect.namespace})`);
  }
  const target = { namespace, name, resourceVersion, requestId: options.requestId };
  const object = await writeExisting({ ...ctx, store: storeFor(ctx, options.dryRun) }, kind, target, 'update', [attributesFor(kind, 'update', target)], (tx, current) =>
    updateInTx(tx, ctx, kind, current, prepared, { verb: 'update', requestId: options.requestId, path }).object,
  );
  ctx.warnings.push(...prepared.warnings);
  return object;
}

/** The status subresource: `statusOf(current)` is the new status (given whole, or a patch of the stored object). */
export async function updateObjectStatus(
  ctx: WriteContext,
  kind: KindDef,
  target: WriteTarget,
  statusOf: (current: KObject) => unknown,
  options: WriteOptions & { verb?: 'update' | 'patch' } = {},
): Promise<KObject> {
  const path = options.path ?? 'status';
  let warnings: string[] = [];
  const asStatus = (verb: string) => attributesFor(kind, verb, { ...target, subresource: 'status' });
  const verbs = options.verb === 'patch' ? [asStatus('patch'), asStatus('update')] : [asStatus('update'), asStatus('patch')];
  const object = await writeExisting({ ...ctx, store: storeFor(ctx, options.dryRun) }, kind, target, 'updateStatus', verbs, (tx, current) => {
    const status = statusOf(current) ?? {};
    warnings = prepareStatus(kind, status, path);
    return updateStatusInTx(tx, ctx, current, status as Record<string, unknown>, target.requestId);
  });
  ctx.warnings.push(...warnings);
  return object;
}

export interface DeleteRequest extends WriteTarget {
  propagationPolicy?: PropagationPolicy | null;
  gracePeriodSeconds?: number | null;
  /** Kubernetes' preconditions.uid: the delete applies only to this incarnation of the name. */
  uid?: string | null;
}

export function deleteObject(ctx: WriteContext, kind: KindDef, args: DeleteRequest, options: WriteOptions = {}): Promise<KObject> {
  if (args.gracePeriodSeconds !== undefined && args.gracePeriodSeconds !== null && args.gracePeriodSeconds < 0)
    throw badInput('gracePeriodSeconds', 'must be greater than or equal to 0');
  return writeExisting({ ...ctx, store: storeFor(ctx, options.dryRun) }, kind, args, 'delete', [attributesFor(kind, 'delete', args)], (tx, current) => {
    if (args.uid && args.uid !== current.metadata.uid)
      throw new KubeqlError(
        'CONFLICT',
        `Operation cannot be fulfilled on ${kind.resource} "${current.metadata.name}": Precondition failed: UID in precondition: ${args.uid}, UID in object meta: ${current.metadata.uid}`,
        { kind: kind.kind, name: current.metadata.name },
      );
    return deleteInTx(tx, ctx, kind, current, args);
  });
}

/** pods/binding: Kubeql's verb `bind` on pods, or Kubernetes' own spelling, create pods/binding. */
export function bindObject(ctx: WriteContext, pod: KindDef, args: WriteTarget & { nodeName: string }, options: WriteOptions = {}): Promise<KObject> {
  checkNodeName(args.nodeName);
  const allowedIf: Attributes[] = [attributesFor(pod, 'bind', args), attributesFor(pod, 'create', { ...args, subresource: 'binding' })];
  return writeExisting({ ...ctx, store: storeFor(ctx, options.dryRun) }, pod, args, 'bind', allowedIf, (tx, current) => bindInTx(tx, ctx, current, args.nodeName, args.requestId));
}

/** <resource>/scale: Kubeql's verb `scale`, or Kubernetes' own spelling, update (or patch) <resource>/scale. */
export function scaleObject(ctx: WriteContext, kind: KindDef, args: WriteTarget & { replicas: number }, options: WriteOptions = {}): Promise<KObject> {
  checkReplicas(args.replicas);
  const allowedIf = [attributesFor(kind, 'scale', args), ...['update', 'patch'].map((verb) => attributesFor(kind, verb, { ...args, subresource: 'scale' }))];
  return writeExisting({ ...ctx, store: storeFor(ctx, options.dryRun) }, kind, args, 'scale', allowedIf, (tx, current) => scaleInTx(tx, ctx, kind, current, args.replicas, args.requestId));
}

/** pods/eviction: a delete asked for as `create pods/eviction` (Kubeql has no PodDisruptionBudgets, so an eviction is always allowed). */
export function evictObject(ctx: WriteContext, pod: KindDef, args: DeleteRequest, options: WriteOptions = {}): Promise<KObject> {
  const allowedIf = [attributesFor(pod, 'create', { ...args, subresource: 'eviction' })];
  return writeExisting({ ...ctx, store: storeFor(ctx, options.dryRun) }, pod, args, 'delete', allowedIf, (tx, current) => {
    if (args.uid && args.uid !== current.metadata.uid)
      throw new KubeqlError('CONFLICT', `Operation cannot be fulfilled on pods "${current.metadata.name}": Precondition failed: UID in precondition: ${args.uid}, UID in object meta: ${current.metadata.uid}`);
    return deleteInTx(tx, ctx, pod, current, args);
  });
}
