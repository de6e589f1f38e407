/** What kq does to objects of a kind it names at run time (`kq get <kind>`), through the object client; and apply, which is not about one kind. */
import type { KubeqlClient } from '../client/client.js';
import { objectClientOf, type NewObject, type PatchBody, type PatchType, type PropagationPolicy, type ScalableKind } from '../client/object-client.js';
import type { KObject, KindDef } from '../resources/kind.js';
import type { KindName } from '../resources/objects.js';

const objects = (client: KubeqlClient) => objectClientOf(client);
const nameOf = (kind: KindDef) => kind.kind as KindName;

export async function getObject(client: KubeqlClient, kind: KindDef, namespace: string, name: string, atRevision?: number): Promise<KObject | null> {
  return (await objects(client).get(nameOf(kind), { namespace, name }, { atRevision })) ?? null;
}

export interface ListOptions {
  /** Undefined: every namespace. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** Every matching object (all pages, read at the first page's revision) and that revision. */
export async function listObjects(client: KubeqlClient, kind: KindDef, options: ListOptions = {}): Promise<{ items: KObject[]; revision: number }> {
  return objects(client).list(nameOf(kind), options);
}

export interface ObjectRef {
  kind: KindDef;
  namespace: string;
  name: string;
  atRevision?: number;
}

/** Several objects, each at its own revision, in few requests per kind; null where absent, in the order asked. */
export async function getObjects(client: KubeqlClient, refs: ObjectRef[]): Promise<Array<KObject | null>> {
  const out: Array<KObject | null> = new Array(refs.length).fill(null);
  const byKind = new Map<KindDef, number[]>();
  refs.forEach((r, i) => byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), i]));
  for (const [kind, indexes] of byKind) {
    const got = await objects(client).getMany(nameOf(kind), indexes.map((i) => ({ namespace: refs[i].namespace, name: refs[i].name, atRevision: refs[i].atRevision })));
    indexes.forEach((i, j) => (out[i] = got[j] ?? null));
  }
  return out;
}

export async function createObject(client: KubeqlClient, kind: KindDef, input: Record<string, unknown>): Promise<KObject> {
  // A manifest from a file: the API validates it against the kind's shape.
  return objects(client).create(nameOf(kind), input as NewObject<KindName>);
}

/** A patch of a type kubectl patch --type names (the API's default, MERGE, when none is given). */
export async function patchObject(
  client: KubeqlClient,
  kind: KindDef,
  namespace: string,
  name: string,
  patch: unknown,
  resourceVersion?: string,
  type?: PatchType,
): Promise<KObject> {
  return objects(client).patch(nameOf(kind), { namespace, name }, patch as PatchBody, { resourceVersion, type });
}

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
}

/** Deletes; answers the object's last state (or, while finalizers or a grace period hold it, its terminating state). */
export async function deleteObject(client: KubeqlClient, kind: KindDef, namespace: string, name: string, options: DeleteOptions = {}): Promise<KObject> {
  return objects(client).delete(nameOf(kind), { namespace, name }, options);
}

export async function scaleObject(client: KubeqlClient, kind: KindDef, namespace: string, name: string, replicas: number, resourceVersion?: string): Promise<KObject> {
  return objects(client).scale(kind.kind as ScalableKind, { namespace, name }, replicas, { resourceVersion });
}
