/**
 * The object client every component uses (controllers, scheduler, agents, informers, CLI), as
 * controller-runtime's client.Client: get, list, create, update, patch, updateStatus, delete and
 * watch on any kind, plus the scale and binding subresources. Its GraphQL documents are generated
 * from the registry of kinds (the same registry that generates the API's schema), once per kind
 * and verb; objects come back whole (`manifest`) and typed by kind: `get('Pod', ...)` answers a
 * Pod (resources/objects.ts). Errors are ClientErrors with the API's code (NOT_FOUND, CONFLICT,
 * ALREADY_EXISTS, EXPIRED, ...); a get of a missing object answers undefined.
 */
import { randomUUID } from 'node:crypto';
import type { Observable } from 'rxjs';
import type { KindDef } from '../resources/kind.js';
import type { KindName, ObjectMeta, ObjectOf } from '../resources/objects.js';
import { kindByName } from '../resources/registry.js';
import { mapStream, type KubeqlClient } from './client.js';
import { ClientError } from './client-error.js';
import { createMutationBatcher, type DocumentBatcher, type MutationBatcherOptions } from './mutation-batcher.js';

/** Which object: `namespace` for namespaced kinds (ignored for cluster-scoped ones). */
export interface ObjectKey {
  namespace?: string;
  name: string;
}

export interface GetOptions {
  /** Read the object as it was at this revision (EXPIRED below the compaction floor). */
  atRevision?: number;
}

export interface ListOptions {
  /** Undefined: every namespace (namespaced kinds). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Read the list as it was at this revision. */
  atRevision?: number;
  /** Objects per request (default 200; the API's cost limit prices each manifest at about 22 of its 5,000). */
  pageSize?: number;
  /** At most this many objects: one page of that size (Kubernetes' `limit` without its continue token). */
  limit?: number;
}

export interface ObjectList<T> {
  items: T[];
  /** The revision every page was read at. */
  revision: number;
}

export interface WriteOptions {
  /** The same id on a retry answers the first attempt's result instead of writing twice. */
  requestId?: string;
}

export interface ConditionalWriteOptions extends WriteOptions {
  /** Precondition: write only over this version (a stale one answers CONFLICT). */
  resourceVersion?: string;
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteOptions extends ConditionalWriteOptions {
  propagationPolicy?: PropagationPolicy;
  gracePeriodSeconds?: number;
}

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Resume after this revision (exclusive): every change since, none twice. Without it: changes from now. */
  fromRevision?: number;
}

export type WatchEvent<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; revision: number; object: T }
  | { type: 'BOOKMARK'; revision: number; object: null };

/** An object to create or replace: the kind's body, metadata without what the server sets. */
export type NewObject<K extends KindName> = Omit<ObjectOf<K>, 'apiVersion' | 'kind' | 'metadata' | 'status'> & {
  apiVersion?: string;
  kind?: K;
  metadata: Partial<ObjectMeta>;
};

/** A kind's status (never for kinds without one). */
export type StatusOf<K extends KindName> = ObjectOf<K> extends { status?: infer S } ? NonNullable<S> : never;

/** An RFC 7386 merge patch: objects merge, null deletes, anything else replaces. */
export type MergePatch = Record<string, unknown>;
/** How a patch is read (kubectl patch --type): MERGE (RFC 7386, the default), STRATEGIC (by the kinds' merge keys), JSON (RFC 6902 operations). */
export type PatchType = 'MERGE' | 'STRATEGIC' | 'JSON';
/** A merge or strategic patch (an object), or RFC 6902 operations (a list). */
export type PatchBody = MergePatch | unknown[];

export interface PatchOptions extends ConditionalWriteOptions {
  type?: PatchType;
}

/** Kinds with a scale subresource. */
export type ScalableKind = 'ReplicaSet' | 'Deployment';

/** How a batched write's calls share documents: their own (`MutationBatcherOptions`), or those of a DocumentBatcher of the same transport, with other fields' calls. */
export interface BatchedOptions extends MutationBatcherOptions {
  /** Share these documents (made on this object client's transport; their options then apply). */
  documents?: DocumentBatcher;
}

export interface ObjectClient {
  /** The transport, for the client's other modules (apply-manifests, audit-log, object-history, issue-tokens, replay-log). */
  readonly graphql: KubeqlClient;
  get<K extends KindName>(kind: K, key: ObjectKey, options?: GetOptions): Promise<ObjectOf<K> | undefined>;
  /** Several objects in as few requests as the API's alias limit allows, each at its own revision; undefined where absent. */
  getMany<K extends KindName>(kind: K, keys: Array<ObjectKey & GetOptions>): Promise<Array<ObjectOf<K> | undefined>>;
  /** Every matching object, all pages read at the first page's revision. */
  list<K extends KindName>(kind: K, options?: ListOptions): Promise<ObjectList<ObjectOf<K>>>;
  create<K extends KindName>(kind: K, object: NewObject<K>, options?: WriteOptions): Promise<ObjectOf<K>>;
  /** Replaces the object (its metadata.resourceVersion, when set, is the precondition). */
  update<K extends KindName>(kind: K, object: NewObject<K>, options?: WriteOptions): Promise<ObjectOf<K>>;
  /**
   * The same update, answered with the new resourceVersion only: for a writer that already holds
   * what it wrote (a node renewing its Lease), the manifest coming back is work for nothing.
   */
  updateVersion<K extends KindName>(kind: K, object: NewObject<K>, options?: WriteOptions): Promise<string>;
  patch<K extends KindName>(kind: K, key: ObjectKey, patch: PatchBody, options?: PatchOptions): Promise<ObjectOf<K>>;
  updateStatus<K extends KindName>(kind: K, key: ObjectKey, status: StatusOf<K>, options?: ConditionalWriteOptions): Promise<ObjectOf<K>>;
  /** Answers the object's last state (or its terminating state while finalizers or a grace period hold it). */
  delete<K extends KindName>(kind: K, key: ObjectKey, options?: DeleteOptions): Promise<ObjectOf<K>>;
  watch<K extends KindName>(kind: K, options?: WatchOptions): Observable<WatchEvent<ObjectOf<K>>>;
  scale<K extends ScalableKind>(kind: K, key: ObjectKey, replicas: number, options?: ConditionalWriteOptions): Promise<ObjectOf<K>>;
  /** Binds a pod to a node (the binding subresource). */
  bind(key: ObjectKey, nodeName: string, options?: ConditionalWriteOptions): Promise<ObjectOf<'Pod'>>;
  /** The head of the log: the revision of the newest event. */
  revision(): Promise<number>;
  /**
   * A batched form of a write, for components that issue many at once (the scheduler's binds, the
   * agents' status posts): concurrent calls share GraphQL documents (mutation-batcher.ts); each call
   * succeeds or fails on its own and answers nothing but that.
   */
  batched<K extends KindName, V extends BatchedVerb>(kind: K, verb: V, options?: BatchedOptions): (call: BatchedCall<K, V>) => Promise<void>;
  /**
   * create, batched as `batched` writes are (the server commits a document's creates together); each
   * call answers its object. The requestId is required: a create whose document failed at a later
   * field is asked again with it, and the server answers the object it made.
   */
  batchedCreate<K extends KindName>(kind: K, options?: MutationBatcherOptions): (object: NewObject<K>, requestId: string) => Promise<ObjectOf<K>>;
}

export type BatchedVerb = 'updateStatus' | 'delete' | 'bind';
type Conditional = ObjectKey & { resourceVersion?: string };
export type BatchedCall<K extends KindName, V extends BatchedVerb> = V extends 'updateStatus'
  ? Conditional & { status: StatusOf<K> }
  : V extends 'delete'
    ? Conditional & { gracePeriodSeconds?: number; propagationPolicy?: PropagationPolicy }
    : Conditional & { nodeName: string };

/** Whether `error` is the API's answer with `code` (NOT_FOUND, CONFLICT, ALREADY_EXISTS, UNAVAILABLE, ...). */
export const hasCode = (error: unknown, code: string): boolean => error instanceof ClientError && error.code === code;
export const isNotFound = (error: unknown): boolean => hasCode(error, 'NOT_FOUND');

/** client.IgnoreNotFound: undefined for NOT_FOUND, the error again for anything else. */
export function ignoreNotFound<T>(promise: Promise<T>): Promise<T | undefined> {
  return promise.catch((e: unknown) => {
    if (isNotFound(e)) return undefined;
    throw e;
  });
}

const DEFAULT_PAGE = 200;
/** Fields per getMany request (the API allows 30 aliases). */
const GET_MANY_CHUNK = 25;

function kindDef(name: string): KindDef {
  const kind = kindByName(name);
  if (!kind) throw new ClientError([{ message: `unknown kind ${name}` }], 'BAD_USER_INPUT');
  return kind;
}

/** The documents of one kind, built from its registry entry. */
function documentsOf(kind: KindDef) {
  const ns = (required: boolean) => (kind.namespaced ? { decl: `$namespace: String${required ? '!' : ''}, `, arg: 'namespace: $namespace, ' } : { decl: '', arg: '' });
  const key = ns(true);
  const any = ns(false);
  const keyed = (field: string, extraDecl: string, extraArg: string) =>
    `mutation(${key.decl}$name: String!${extraDecl}, $resourceVersion: String, $requestId: String) { r: ${field}(${key.arg}name: $name${extraArg}, resourceVersion: $resourceVersion, requestId: $requestId) { manifest } }`;
  return {
    get: `query(${key.decl}$name: String!, $atRevision: Revision) { r: ${kind.getField}(${key.arg}name: $name, atRevision: $atRevision) { manifest } }`,
    list: `query(${any.decl}$labelSelector: String, $fieldSelector: String, $first: Int, $after: String, $atRevision: Revision) {
  r: ${kind.listField}(${any.arg}labelSelector: $labelSelector, fieldSelector: $fieldSelector, first: $first, after: $after, atRevision: $atRevision) {
    edges { node { manifest } } pageInfo { hasNextPage endCursor } revision } }`,
    create: `mutation($input: ${kind.kind}Input!, $requestId: String) { r: create${kind.kind}(input: $input, requestId: $requestId) { manifest } }`,
    update: `mutation($input: ${kind.kind}Input!, $requestId: String) { r: update${kind.kind}(input: $input, requestId: $requestId) { manifest } }`,
    updateVersion: `mutation($input: ${kind.kind}Input!, $requestId: String) { r: update${kind.kind}(input: $input, requestId: $requestId) { metadata { resourceVersion } } }`,
    patch: keyed(`patch${kind.kind}`, ', $patch: JSON!, $type: PatchType', ', patch: $patch, type: $type'),
    updateStatus: keyed(`update${kind.kind}Status`, ', $status: JSON!', ', status: $status'),
    delete: `mutation(${key.decl}$name: String!, $resourceVersion: String, $propagationPolicy: PropagationPolicy, $gracePeriodSeconds: Int, $requestId: String) {
  r: delete${kind.kind}(${key.arg}name: $name, resourceVersion: $resourceVersion, propagationPolicy: $propagationPolicy, gracePeriodSeconds: $gracePeriodSeconds, requestId: $requestId) { manifest } }`,
    scale: kind.scale ? keyed(`scale${kind.kind}`, ', $replicas: Int!', ', replicas: $replicas') : undefined,
    bind: kind.kind === 'Pod' ? keyed('bindPod', ', $nodeName: String!', ', nodeName: $nodeName') : undefined,
    watch: `subscription(${any.decl}$labelSelector: String, $fieldSelector: String, $fromRevision: Revision) {
  watch(kind: ${kind.kind}, ${any.arg}labelSelector: $labelSelector, fieldSelector: $fieldSelector, fromRevision: $fromRevision) {
    type revision object { ... on ${kind.kind} { manifest } } } }`,
  };
}

type Documents = ReturnType<typeof documentsOf>;

/**
 * Each kind's documents, built once per process: they depend on the kind alone, and the agents
 * have a client per node (10,000 clients at 5,000 nodes, each with its own copy before).
 */
const documentsByKind = new Map<string, { kind: KindDef; docs: Documents }>();
const of = (name: string) => {
  let entry = documentsByKind.get(name);
  if (!entry) {
    const kind = kindDef(name);
    entry = { kind, docs: documentsOf(kind) };
    documentsByKind.set(name, entry);
  }
  return entry;
};

export function createObjectClient(graphql: KubeqlClient): ObjectClient {
  const keyVars = (kind: KindDef, key: ObjectKey) => (kind.namespaced ? { namespace: key.namespace ?? 'default', name: key.name } : { name: key.name });
  const one = async (query: string, variables: Record<string, unknown>): Promise<any> => (await graphql.request(query, variables)).r?.manifest;
  // With several servers a write may have to be retried on another after its connection broke:
  // one without a requestId gets one, so the retry answers the first result instead of writing twice.
  const failover = graphql.servers.length > 1;
  /** A mutation's answer (its `r`), with a requestId when failover may send it twice. */
  const mutate = async (query: string, variables: Record<string, unknown>): Promise<any> => {
    const requestId = (variables.requestId as string | undefined) ?? (failover ? randomUUID() : undefined);
    return (await graphql.request(query, { ...variables, requestId }, { idempotent: requestId !== undefined })).r;
  };
  const write = async (query: string, variables: Record<string, unknown>): Promise<any> => (await mutate(query, variables))?.manifest;

  return {
    graphql,
    async get(kindName, key, options = {}) {
      const { kind, docs } = of(kindName);
      return (await one(docs.get, { ...keyVars(kind, key), atRevision: options.atRevision })) ?? undefined;
    },
    async getMany(kindName, keys) {
      const { kind } = of(kindName);
      const out: any[] = [];
      for (let start = 0; start < keys.length; start += GET_MANY_CHUNK) {
        const chunk = keys.slice(start, start + GET_MANY_CHUNK);
        const decls: string[] = [];
        const fields: string[] = [];
        const variables: Record<string, unknown> = {};
        chunk.forEach((k, i) => {
          decls.push(`${kind.namespaced ? `$ns${i}: String!, ` : ''}$n${i}: String!, $at${i}: Revision`);
          fields.push(`o${i}: ${kind.getField}(${kind.namespaced ? `namespace: $ns${i}, ` : ''}name: $n${i}, atRevision: $at${i}) { manifest }`);
          if (kind.namespaced) variables[`ns${i}`] = k.namespace ?? 'default';
          variables[`n${i}`] = k.name;
          variables[`at${i}`] = k.atRevision;
        });
        const data = await graphql.request(`query(${decls.join(', ')}) { ${fields.join(' ')} }`, variables);
        chunk.forEach((_, i) => out.push(data[`o${i}`]?.manifest ?? undefined));
      }
      return out;
    },
    async list(kindName, options = {}) {
      const { kind, docs } = of(kindName);
      const items: any[] = [];
      let after: string | undefined;
      let revision = 0;
      do {
        const { r: page } = await graphql.request(docs.list, {
          ...(kind.namespaced ? { namespace: options.namespace } : {}),
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          first: options.limit !== undefined ? Math.min(options.limit, options.pageSize ?? DEFAULT_PAGE) : (options.pageSize ?? DEFAULT_PAGE),
          after,
          atRevision: options.atRevision,
        });
        revision ||= page.revision;
        for (const edge of page.edges) items.push(edge.node.manifest);
        after = page.pageInfo.hasNextPage && (options.limit === undefined || items.length < options.limit) ? page.pageInfo.endCursor : undefined;
      } while (after);
      if (options.limit !== undefined) items.length = Math.min(items.length, options.limit);
      return { items, revision };
    },
    create(kindName, object, options = {}) {
      return write(of(kindName).docs.create, { input: object, requestId: options.requestId });
    },
    update(kindName, object, options = {}) {
      return write(of(kindName).docs.update, { input: object, requestId: options.requestId });
    },
    async updateVersion(kindName, object, options = {}) {
      return (await mutate(of(kindName).docs.updateVersion, { input: object, requestId: options.requestId })).metadata.resourceVersion;
    },
    patch(kindName, key, patch, options = {}) {
      const { kind, docs } = of(kindName);
      return write(docs.patch, { ...keyVars(kind, key), patch, type: options.type, resourceVersion: options.resourceVersion, requestId: options.requestId });
    },
    updateStatus(kindName, key, status, options = {}) {
      const { kind, docs } = of(kindName);
      return write(docs.updateStatus, { ...keyVars(kind, key), status, resourceVersion: options.resourceVersion, requestId: options.requestId });
    },
    delete(kindName, key, options = {}) {
      const { kind, docs } = of(kindName);
      return write(docs.delete, {
        ...keyVars(kind, key),
        resourceVersion: options.resourceVersion,
        propagationPolicy: options.propagationPolicy,
        gracePeriodSeconds: options.gracePeriodSeconds,
        requestId: options.requestId,
      });
    },
    watch(kindName, options = {}) {
      const { kind, docs } = of(kindName);
      const stream = graphql.subscribe(docs.watch, {
        ...(kind.namespaced ? { namespace: options.namespace } : {}),
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        fromRevision: options.fromRevision,
      });
      return mapStream(stream, ({ watch: e }: { watch: { type: WatchEvent<unknown>['type']; revision: number; object: { manifest: unknown } | null } }) =>
        ({ type: e.type, revision: e.revision, object: e.object?.manifest ?? null }) as WatchEvent<any>,
      );
    },
    scale(kindName, key, replicas, options = {}) {
      const { kind, docs } = of(kindName);
      if (!docs.scale) throw new ClientError([{ message: `${kind.kind} has no scale subresource` }], 'BAD_USER_INPUT');
      return write(docs.scale, { ...keyVars(kind, key), replicas, resourceVersion: options.resourceVersion, requestId: options.requestId });
    },
    batched(kindName, verb, options) {
      const { kind } = of(kindName);
      const key: Record<string, string> = kind.namespaced ? { namespace: 'String!', name: 'String!' } : { name: 'String!' };
      const [field, args] =
        verb === 'updateStatus'
          ? [`update${kind.kind}Status`, { ...key, status: 'JSON!', resourceVersion: 'String' }]
          : verb === 'delete'
            ? [`delete${kind.kind}`, { ...key, resourceVersion: 'String', gracePeriodSeconds: 'Int', propagationPolicy: 'PropagationPolicy' }]
            : [`bind${kind.kind}`, { ...key, nodeName: 'String!', resourceVersion: 'String' }];
      if (verb === 'bind' && kind.kind !== 'Pod') throw new ClientError([{ message: `${kind.kind} has no binding subresource` }], 'BAD_USER_INPUT');
      // With several servers each call carries a requestId, so a document cut off by a dying server is retried on the next.
      const argTypes = failover ? { ...args, requestId: 'String' } : args;
      const batcher = options?.documents ? options.documents.mutation(field, argTypes, 'metadata { resourceVersion }') : createMutationBatcher(graphql, field, argTypes, 'metadata { resourceVersion }', options);
      return async (call) => {
        const args: Record<string, unknown> = failover ? { requestId: randomUUID(), ...call } : { ...call };
        await batcher.call(kind.namespaced ? { namespace: 'default', ...args } : args);
      };
    },
    batchedCreate(kindName, options) {
      const { kind, docs } = of(kindName);
      const batcher = createMutationBatcher(graphql, `create${kind.kind}`, { input: `${kind.kind}Input!`, requestId: 'String' }, 'manifest', options);
      return async (object, requestId) => {
        const id = requestId ?? (failover ? randomUUID() : undefined);
        const answer = (await batcher.call({ input: object, requestId: id })) as { manifest?: unknown } | undefined;
        // Made, but its document failed at a later field (data is null): the requestId gets its answer.
        return (answer?.manifest as any) ?? write(docs.create, { input: object, requestId: id });
      };
    },
    bind(key, nodeName, options = {}) {
      const { kind, docs } = of('Pod');
      return write(docs.bind!, { ...keyVars(kind, key), nodeName, resourceVersion: options.resourceVersion, requestId: options.requestId });
    },
    async revision() {
      return (await graphql.request<{ revision: number }>('query { revision }')).revision;
    },
  };
}

const clients = new WeakMap<KubeqlClient, ObjectClient>();

/** The object client over a transport, made once per transport. */
export function objectClientOf(graphql: KubeqlClient | ObjectClient): ObjectClient {
  if ('graphql' in graphql) return graphql;
  let client = clients.get(graphql);
  if (!client) clients.set(graphql, (client = createObjectClient(graphql)));
  return client;
}
