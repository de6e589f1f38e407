/**
 * `history` (DESIGN §4 Audit): every version of one object, oldest first, followed across delete
 * and re-create (`uid` tells the objects apart), each with the RFC 6902 change from the previous one.
 */
import type { KubeqlClient } from './client.js';
import { objectClientOf, type ObjectClient, type ObjectKey } from './object-client.js';

/** One RFC 6902 operation. */
export interface PatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

export interface ObjectVersion {
  revision: number;
  ts: string;
  actor: string;
  verb: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  uid: string;
  object: unknown;
  /** From the previous version of the same uid; empty for the first. */
  patch: PatchOperation[] | null;
}

export interface HistoryOptions {
  /** Called after each page with the number of versions read so far (progress). */
  onPage?(read: number): void;
}

const HISTORY = `query($kind: Kind!, $namespace: String, $name: String!, $after: String) {
  history(kind: $kind, namespace: $namespace, name: $name, first: 100, after: $after) {
    edges { node { revision ts actor verb type uid object patch } } pageInfo { hasNextPage endCursor } } }`;

interface Page {
  edges: Array<{ node: ObjectVersion }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Every version of `kind` `key` (namespace ignored for cluster-scoped kinds); empty when the name never existed or its log was compacted. */
export async function readHistory(client: KubeqlClient | ObjectClient, kind: string, key: ObjectKey, options: HistoryOptions = {}): Promise<ObjectVersion[]> {
  const graphql = objectClientOf(client).graphql;
  const versions: ObjectVersion[] = [];
  let after: string | undefined;
  do {
    const { history } = await graphql.request<{ history: Page }>(HISTORY, { kind, namespace: key.namespace ?? null, name: key.name, after });
    versions.push(...history.edges.map((e) => e.node));
    after = history.pageInfo.hasNextPage ? (history.pageInfo.endCursor ?? undefined) : undefined;
    options.onPage?.(versions.length);
  } while (after);
  return versions;
}
