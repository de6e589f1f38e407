/** The GraphQL operations kq runs on objects of any kind, built from the registry (`pod`, `pods`, `createPod`, `scaleDeployment`, ...); every object comes back whole (`manifest`). */
import type { KubeqlClient } from '../client/client.js';
import type { KObject, KindDef } from '../resources/kind.js';

// client-go pages by 500; the API prices each listed object at 1 against its default cost limit (5,000 objects).
const PAGE = 500;

/** `namespace: $namespace, ` for namespaced kinds, nothing for cluster-scoped ones; with the variable declaration. */
function scope(kind: KindDef, required: boolean) {
  return kind.namespaced
    ? { decl: `$namespace: String${required ? '!' : ''}, `, arg: 'namespace: $namespace, ' }
    : { decl: '', arg: '' };
}

const nsVar = (kind: KindDef, namespace: string | undefined) => (kind.namespaced ? { namespace } : {});

export async function getObject(client: KubeqlClient, kind: KindDef, namespace: string, name: string, atRevision?: number): Promise<KObject | null> {
  const s = scope(kind, true);
  const data = await client.request(
    `query(${s.decl}$name: String!, $at: Revision) { object: ${kind.getField}(${s.arg}name: $name, atRevision: $at) { manifest } }`,
    { ...nsVar(kind, namespace), name, at: atRevision },
  );
  return data.object?.manifest ?? null;
}

export interface ListOptions {
  /** Undefined: every namespace. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** Every matching object (all pages, read at the first page's revision) and that revision. */
export async function listObjects(client: KubeqlClient, kind: KindDef, options: ListOptions = {}): Promise<{ items: KObject[]; revision: number }> {
  const s = scope(kind, false);
  const query = `query(${s.decl}$labelSelector: String, $fieldSelector: String, $after: String) {
    list: ${kind.listField}(${s.arg}labelSelector: $labelSelector, fieldSelector: $fieldSelector, first: ${PAGE}, after: $after) {
      edges { node { manifest } } pageInfo { hasNextPage endCursor } revision } }`;
  const items: KObject[] = [];
  let after: string | undefined;
  let revision = 0;
  for (;;) {
    const { list } = await client.request(query, {
      ...nsVar(kind, options.namespace),
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      after,
    });
    revision ||= list.revision;
    items.push(...list.edges.map((e: { node: { manifest: KObject } }) => e.node.manifest));
    if (!list.pageInfo.hasNextPage) return { items, revision };
    after = list.pageInfo.endCursor;
  }
}

export interface ObjectRef {
  kind: KindDef;
  namespace: string;
  name: string;
  atRevision?: number;
}

/** Several objects in one request (aliases), each at its own revision; null where absent. Chunked under the server's alias limit. */
export async function getObjects(client: KubeqlClient, refs: ObjectRef[]): Promise<Array<KObject | null>> {
  const out: Array<KObject | null> = [];
  for (let start = 0; start < refs.length; start += 25) {
    const chunk = refs.slice(start, start + 25);
    const fields = chunk.map((r, i) => {
      const ns = r.kind.namespaced ? `namespace: ${JSON.stringify(r.namespace)}, ` : '';
      const at = r.atRevision !== undefined ? `, atRevision: ${Number(r.atRevision)}` : '';
      return `o${i}: ${r.kind.getField}(${ns}name: ${JSON.stringify(r.name)}${at}) { manifest }`;
    });
    const data = await client.request(`query { ${fields.join('\n')} }`);
    chunk.forEach((_, i) => out.push(data[`o${i}`]?.manifest ?? null));
  }
  return out;
}

export async function createObject(client: KubeqlClient, kind: KindDef, input: Record<string, unknown>): Promise<KObject> {
  const data = await client.request(`mutation($input: ${kind.kind}Input!) { object: create${kind.kind}(input: $input) { manifest } }`, { input });
  return data.object.manifest;
}

/** A JSON merge patch (RFC 7386); `resourceVersion` makes it conditional. */
/** A patch of a type kubectl patch --type names (the API's default, MERGE, when none is given). */
export async function patchObject(
  client: KubeqlClient,
  kind: KindDef,
  namespace: string,
  name: string,
  patch: unknown,
  resourceVersion?: string,
  type?: 'STRATEGIC' | 'MERGE' | 'JSON',
): Promise<KObject> {
  const s = scope(kind, true);
  const data = await client.request(
    `mutation(${s.decl}$name: String!, $patch: JSON!, $type: PatchType, $rv: String) { object: patch${kind.kind}(${s.arg}name: $name, patch: $patch, type: $type, resourceVersion: $rv) { manifest } }`,
    { ...nsVar(kind, namespace), name, patch, type, rv: resourceVersion },
  );
  return data.object.manifest;
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
}

/** Deletes; answers the object's last state (or, while finalizers or a grace period hold it, its terminating state). */
export async function deleteObject(client: KubeqlClient, kind: KindDef, namespace: string, name: string, options: DeleteOptions = {}): Promise<KObject> {
  const s = scope(kind, true);
  const data = await client.request(
    `mutation(${s.decl}$name: String!, $policy: PropagationPolicy, $grace: Int) {
      object: delete${kind.kind}(${s.arg}name: $name, propagationPolicy: $policy, gracePeriodSeconds: $grace) { manifest } }`,
    { ...nsVar(kind, namespace), name, policy: options.propagationPolicy, grace: options.gracePeriodSeconds },
  );
  return data.object.manifest;
}

export async function scaleObject(client: KubeqlClient, kind: KindDef, namespace: string, name: string, replicas: number, resourceVersion?: string): Promise<KObject> {
  const s = scope(kind, true);
  const data = await client.request(
    `mutation(${s.decl}$name: String!, $replicas: Int!, $rv: String) { object: scale${kind.kind}(${s.arg}name: $name, replicas: $replicas, resourceVersion: $rv) { manifest } }`,
    { ...nsVar(kind, namespace), name, replicas, rv: resourceVersion },
  );
  return data.object.manifest;
}

export interface AppliedObject {
  kind: string;
  namespace: string | null;
  name: string;
  action: 'created' | 'configured' | 'unchanged';
}

export async function applyManifests(client: KubeqlClient, manifests: string, dryRun: boolean): Promise<{ objects: AppliedObject[]; warnings: string[]; revision: number }> {
  const data = await client.request(
    `mutation($manifests: String!, $dryRun: Boolean) { apply(manifests: $manifests, dryRun: $dryRun) { revision objects { kind namespace name action } warnings } }`,
    { manifests, dryRun },
  );
  return data.apply;
}
