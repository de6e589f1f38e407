/**
 * Requests on one object of any kind through its generated fields (<kind>, delete<Kind>,
 * patch<Kind>, update<Kind>Status), for the controllers that work across kinds: the garbage
 * collector, the namespace, node-lifecycle and quota controllers. Each answers a manifest.
 */
import type { KubeqlClient } from '../client/client.js';
import { ClientError } from '../client/client-error.js';
import type { KObject, KindDef } from '../resources/kind.js';
import { kindByName } from '../resources/registry.js';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions {
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
  /** Precondition: delete only this version (a stale one answers CONFLICT). */
  resourceVersion?: string;
}

function kindOf(object: KObject): KindDef {
  const kind = kindByName(object.kind);
  if (!kind) throw new Error(`unknown kind ${object.kind}`);
  return kind;
}

/** The `operation` field `field` of `kind` on one object, with `args` (name: GraphQL type) besides its key. */
function document(operation: 'query' | 'mutation', kind: KindDef, field: string, args: Record<string, string> = {}): string {
  const vars = { ...(kind.namespaced ? { namespace: 'String!' } : {}), name: 'String!', ...args };
  const declared = Object.entries(vars).map(([n, t]) => `$${n}: ${t}`).join(', ');
  const passed = Object.keys(vars).map((n) => `${n}: $${n}`).join(', ');
  return `${operation}(${declared}) { result: ${field}(${passed}) { manifest } }`;
}
const mutation = (kind: KindDef, field: string, args: Record<string, string>) => document('mutation', kind, field, args);

const keyOf = (kind: KindDef, object: Pick<KObject, 'metadata'>) => ({ ...(kind.namespaced ? { namespace: object.metadata.namespace } : {}), name: object.metadata.name });

export const isNotFound = (e: unknown) => e instanceof ClientError && e.code === 'NOT_FOUND';

/** The object as the API server has it now (not an informer's cache), or undefined. */
export async function getObject(client: KubeqlClient, kind: KindDef, namespace: string | undefined, name: string): Promise<KObject | undefined> {
  const data = await client.request(document('query', kind, kind.getField), keyOf(kind, { metadata: { namespace, name } as KObject['metadata'] }));
  return data.result?.manifest ?? undefined;
}

/** Deletes `object`; an object already gone is not an error (answers undefined). */
export async function deleteObject(client: KubeqlClient, object: KObject, options: DeleteOptions = {}): Promise<KObject | undefined> {
  const kind = kindOf(object);
  const query = mutation(kind, `delete${kind.kind}`, { resourceVersion: 'String', propagationPolicy: 'PropagationPolicy', gracePeriodSeconds: 'Int' });
  try {
    const data = await client.request(query, { ...keyOf(kind, object), ...options });
    return data.result.manifest;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** A JSON merge patch of `object`, conditional on `resourceVersion` when given. */
export async function patchObject(client: KubeqlClient, object: KObject, patch: Record<string, unknown>, resourceVersion?: string): Promise<KObject> {
  const kind = kindOf(object);
  const data = await client.request(mutation(kind, `patch${kind.kind}`, { patch: 'JSON!', resourceVersion: 'String' }), { ...keyOf(kind, object), patch, resourceVersion });
  return data.result.manifest;
}

/** Replaces `object`'s status, conditional on `resourceVersion` when given. */
export async function updateObjectStatus(client: KubeqlClient, object: KObject, status: Record<string, unknown>, resourceVersion?: string): Promise<KObject> {
  const kind = kindOf(object);
  const data = await client.request(mutation(kind, `update${kind.kind}Status`, { status: 'JSON!', resourceVersion: 'String' }), { ...keyOf(kind, object), status, resourceVersion });
  return data.result.manifest;
}
