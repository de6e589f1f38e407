/**
 * Verbs on an object in hand, whatever its kind (as controller-runtime's client.Patch(ctx, obj, ...)):
 * the kind and key come from the object, the answer has the object's type. Over the object client;
 * for the controllers that work across kinds (garbage collector, namespace, node lifecycle, quota)
 * and those that write what their informers gave them.
 */
import type { KubeqlClient } from '../../client/client.js';
import { ignoreNotFound, isNotFound, objectClientOf, type ObjectClient, type PropagationPolicy } from '../../client/object-client.js';
import type { KObject, KindDef } from '../../resources/kind.js';
import type { KindName, ObjectOf } from '../../resources/objects.js';

export { isNotFound, type PropagationPolicy };

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
  /** Precondition: delete only this version (a stale one answers CONFLICT). */
  resourceVersion?: string;
}

type Client = KubeqlClient | ObjectClient;
const kindOf = (object: KObject) => object.kind as KindName;
const keyOf = (object: KObject) => ({ namespace: object.metadata.namespace, name: object.metadata.name });

/** The object as the API server has it now (not an informer's cache), or undefined. */
export async function getObject<K extends KindName>(client: Client, kind: K, namespace: string | undefined, name: string): Promise<ObjectOf<K> | undefined>;
/** A kind known only at run time (the garbage collector's owners): the plain envelope. */
export async function getObject(client: Client, kind: KindDef, namespace: string | undefined, name: string): Promise<KObject | undefined>;
export async function getObject(client: Client, kind: KindName | KindDef, namespace: string | undefined, name: string): Promise<KObject | undefined> {
  return objectClientOf(client).get((typeof kind === 'string' ? kind : kind.kind) as KindName, { namespace, name });
}

/** Deletes `object`; an object already gone is not an error (answers undefined). */
export async function deleteObject<T extends KObject>(client: Client, object: T, options: DeleteOptions = {}): Promise<T | undefined> {
  return ignoreNotFound(objectClientOf(client).delete(kindOf(object), keyOf(object), options)) as Promise<T | undefined>;
}

/** A JSON merge patch of `object`, conditional on `resourceVersion` when given. */
export async function patchObject<T extends KObject>(client: Client, object: T, patch: Record<string, unknown>, resourceVersion?: string): Promise<T> {
  return objectClientOf(client).patch(kindOf(object), keyOf(object), patch, { resourceVersion }) as Promise<KObject> as Promise<T>;
}

/** Replaces `object`'s status, conditional on `resourceVersion` when given. */
export async function updateObjectStatus<T extends KObject>(client: Client, object: T, status: NonNullable<T['status']>, resourceVersion?: string): Promise<T> {
  return objectClientOf(client).updateStatus(kindOf(object), keyOf(object), status as never, { resourceVersion }) as Promise<KObject> as Promise<T>;
}
