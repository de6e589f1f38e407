/** The store's narrow interface: append in a transaction, read by cursor, read at a revision. */
import type { Allocation, KObject } from '../resources/kind.js';
import type { LabelRequirement } from '../resources/selectors/label-selector.js';
import type { FieldRequirement } from '../resources/selectors/field-selector.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export type Verb = 'create' | 'update' | 'patch' | 'updateStatus' | 'apply' | 'bind' | 'scale' | 'delete';

export interface StoredEvent {
  revision: number;
  ts: number;
  actor: string;
  verb: string;
  type: EventType;
  kind: string;
  /** '' for cluster-scoped objects. */
  namespace: string;
  name: string;
  uid: string;
  prevRevision: number | null;
  object: KObject;
  requestId: string | null;
}

export interface AppendInput {
  actor: string;
  verb: Verb;
  type: EventType;
  /** The whole object after the change (for DELETED, its last state); the store sets its resourceVersion. */
  object: KObject;
  requestId?: string;
}

/** The view of the database a write sees: its own earlier writes included. */
export interface WriteTx {
  /** Commit time of this transaction, ms since epoch. */
  readonly ts: number;
  /** The revision the next append gets. */
  readonly nextRevision: number;
  get(kind: string, namespace: string, name: string): KObject | undefined;
  /** The events an earlier request with this id appended (empty when the id is new). */
  eventsForRequest(requestId: string): StoredEvent[];
  isAllocated(pool: string, value: string): boolean;
  append(input: AppendInput): StoredEvent;
}

export interface ListQuery {
  kind: string;
  namespace?: string;
  labelSelector?: LabelRequirement[];
  fieldSelector?: FieldRequirement[];
  /** Resume after this key (namespace, name), in key order. */
  after?: { namespace: string; name: string };
  limit?: number;
  /** Read at this revision (default: the head). */
  atRevision?: number;
}

export interface ListResult {
  items: KObject[];
  revision: number;
  hasMore: boolean;
}

export interface StoreOptions {
  /** Directory holding kubeql.db. */
  dataDir: string;
  /** SQLite's synchronous setting for the log: FULL (default) loses nothing acknowledged on power loss. */
  synchronous?: 'FULL' | 'NORMAL';
  /** Values an object holds in unique pools (from the registry of kinds). */
  allocationsOf?: (object: KObject) => Allocation[];
}

export interface Store {
  /** Revision of the newest event (0 for an empty log). */
  head(): number;
  /** Reads below this revision have been compacted away (EXPIRED). */
  floor(): number;
  get(kind: string, namespace: string, name: string, atRevision?: number): KObject | undefined;
  list(query: ListQuery): ListResult;
  /** Runs `fn` in a write transaction, group-committed with other writes of the same tick; `fn` is synchronous. */
  write<T>(fn: (tx: WriteTx) => T): Promise<T>;
  /** Events after `afterRevision`, oldest first. */
  readEvents(afterRevision: number, limit: number): StoredEvent[];
  /** Called after each commit with the new head. Returns an unsubscribe function. */
  onCommit(listener: (head: number) => void): () => void;
  /** Number of SQL statements run so far (for tests that bound the work of a read). */
  statementCount(): number;
  close(): void;
}
