/** The store's narrow interface: append in a transaction, read by cursor, read at a revision. */
import type { Allocation, KObject } from '../resources/kind.js';
import type { LabelRequirement } from '../resources/selectors/label-selector.js';
import type { FieldRequirement } from '../resources/selectors/field-selector.js';
import type { AuditFilter } from './audit-filter.js';
import type { AuditPage, BackupInfo, HistoryPage, ReplayReport, TokenStore } from './records.js';

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
  /** Length of the object's JSON text (what holding the event costs, about). */
  bytes?: number;
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
  /** Every current object of `kind` in `namespace` ('' for cluster-scoped), this transaction's own writes included (quota admission counts usage with it). */
  list(kind: string, namespace: string): KObject[];
  /** The events an earlier request of `actor` with this id appended (empty when the id is new to that actor). */
  eventsForRequest(actor: string, requestId: string): StoredEvent[];
  isAllocated(pool: string, value: string): boolean;
  append(input: AppendInput): StoredEvent;
}

export interface ListQuery {
  kind: string;
  namespace?: string;
  /** Only objects in these namespaces (row-level authorization of a list across namespaces). */
  namespaces?: readonly string[];
  labelSelector?: LabelRequirement[];
  fieldSelector?: FieldRequirement[];
  /** Resume after this key (namespace, name), in key order. */
  after?: { namespace: string; name: string };
  limit?: number;
  /** Read at this revision (default: the head). */
  atRevision?: number;
  /**
   * The caller reads only each object's kind, namespace and name (a list of names): a backend may
   * answer objects holding no more than `{ kind, metadata: { name, namespace } }`, without reading
   * their bodies. A hint: answering whole objects is as correct.
   */
  keysOnly?: boolean;
}

/** An object's key within its kind ('' namespace for cluster-scoped kinds). */
export interface ObjectKey {
  namespace: string;
  name: string;
}

/** The indexed columns listBy reads by: spec.nodeName, and the uid of the controller ownerReference. */
export type ObjectIndex = 'nodeName' | 'controllerUid';

/** A selector of listMatching: objects in `namespace` carrying every one of `labels`. */
export interface LabelMatch {
  namespace: string;
  labels: Record<string, string>;
}

export interface ListResult {
  items: KObject[];
  revision: number;
  hasMore: boolean;
}

/**
 * FULL: SQLite syncs the WAL inside COMMIT, on the event loop; acknowledged = durable.
 * DURABLE: SQLite commits with synchronous=NORMAL and the WAL is fdatasynced on the threadpool
 * before a batch is acknowledged or published; acknowledged = durable, and reads see only
 * acknowledged writes. NORMAL: no sync at commit; a power loss may lose acknowledged writes.
 */
export type SyncMode = 'FULL' | 'DURABLE' | 'NORMAL';

export interface StoreOptions {
  /** Directory holding kubeql.db. */
  dataDir: string;
  /** How the log reaches the disk (default DURABLE); see SyncMode. */
  synchronous?: SyncMode;
  /** Values an object holds in unique pools (from the registry of kinds). */
  allocationsOf?: (object: KObject) => Allocation[];
  /** Count every SQL statement SQLite runs (better-sqlite3's verbose hook) for statementCount; off by default, it costs on the hot path. */
  countStatements?: boolean;
  /** Called after each group-commit batch (committed or failed) with its number of writes and its duration (metrics). */
  onBatch?: (writes: number, durationMs: number) => void;
  /** SQLite: commits (group-commit batches) between checkpoints of the WAL, which run off the commit path (default 64). */
  checkpointCommits?: number;
}

/** One readiness check of the store (`database`, `migrations`, `log-writable`). */
export interface HealthCheck {
  name: string;
  ok: boolean;
  message?: string;
}

/**
 * The log: writes appended in group-committed transactions, read back by revision, and a signal
 * after each commit. A second backend (PostgreSQL) implements the same contract.
 */
export interface EventLog {
  /** Revision of the newest event (0 for an empty log). */
  head(): number;
  /** Reads below this revision have been compacted away (EXPIRED). */
  floor(): number;
  /** The highest floor of all: below it the log has gaps (readEvents is EXPIRED). */
  logFloor(): number;
  /** Runs `fn` in a write transaction, group-committed with other writes of the same tick; `fn` is synchronous. */
  write<T>(fn: (tx: WriteTx) => T): Promise<T>;
  /**
   * Events after `afterRevision`, oldest first. With `kind`, only that kind's events (one index
   * range; a watch of one kind catching up skips the rest of the log, Lease renewals above all),
   * EXPIRED only below that kind's floor rather than the highest floor of all.
   */
  readEvents(afterRevision: number, limit: number, kind?: string): StoredEvent[];
  /**
   * The events of pods on `nodeName` (spec.nodeName, set once by bind) after `afterRevision` and up
   * to `upTo`, oldest first, at most `limit`: what a kubelet's watch catching up needs, filtered in
   * the database instead of decoding every pod's event. EXPIRED below the Pod floor.
   */
  readNodePodEvents(afterRevision: number, upTo: number, limit: number, nodeName: string): StoredEvent[];
  /**
   * Called after each commit with the new head and the events it committed, in order. Returns an
   * unsubscribe function. Called with no events when the head jumped without them: a PostgreSQL
   * replica that fell behind a compaction was copied afresh, and the events in between are gone
   * (what was derived from them is rebuilt; a reader below the new floor is EXPIRED).
   */
  onCommit(listener: (head: number, events: readonly StoredEvent[]) => void): () => void;
  /** Resolves once every write queued so far is committed (or has failed). */
  drain(): Promise<void>;
  /**
   * Resolves once reads see `revision` (head() >= revision), or as soon as it is clear the log holds
   * no such revision yet (the read's own check then refuses it, BAD_USER_INPUT). A store whose head
   * can lag the log (a PostgreSQL replica a moment behind another server's commit, which a client
   * failing over has already seen) waits for it, bounded, as kube-apiserver's reads wait for its
   * watch cache; past the bound it rejects UNAVAILABLE (retryable: again later, or on another server).
   */
  reach(revision: number): Promise<void>;
}

/** The projections: objects as they are now, or as they were at a revision. */
export interface Projections {
  get(kind: string, namespace: string, name: string, atRevision?: number): KObject | undefined;
  list(query: ListQuery): ListResult;
  /** Many objects of one kind by key, in one statement; aligned with `keys` (undefined where absent). */
  getMany(kind: string, keys: readonly ObjectKey[], atRevision?: number): Array<KObject | undefined>;
  /** Objects of one kind whose `index` column is one of `values`, grouped by value (every value a key), in one statement. */
  listBy(kind: string, index: ObjectIndex, values: readonly string[], atRevision?: number): Map<string, KObject[]>;
  /** For each selector, the objects of one kind it selects, in one statement; aligned with `selectors`, an empty selector selects nothing. */
  listMatching(kind: string, selectors: readonly LabelMatch[], atRevision?: number): KObject[][];
  /** The version of an object that an event with this revision wrote (undefined once compacted). */
  getVersion(kind: string, namespace: string, name: string, revision: number): KObject | undefined;
  /** Reads of `kind` below this revision are EXPIRED: the log's floor, or the kind's own when it is compacted faster (compactKind). */
  kindFloor(kind: string): number;
}

/** The log read as history: who changed what (audit), an object's versions, time to revision. */
export interface LogHistory {
  /** Events matching `filter` with revision > `after`, oldest first (audit-read.ts); EXPIRED when `after` is below the floor. */
  readAudit(filter: AuditFilter, after: number, limit: number): AuditPage;
  /** The versions of one object name with revision > `after`, oldest first, each with the version before it (object-history.ts). */
  readHistory(kind: string, key: ObjectKey, after: number, limit: number): HistoryPage;
  /** The newest revision committed before `ts` (ms since epoch); 0 when none (retention by age). */
  revisionBefore(ts: number): number;
}

/** Replay and maintenance: compaction (retention builds on it), replay, backup, health, closing. */
export interface Maintenance {
  /** Folds everything at or below `floor` into the snapshot (see compact.ts); returns the new floor. Space is given back by reclaim. */
  compact(floor: number): number;
  /** Compacts one kind at or below `floor` (compact.ts compactKindBelow); returns the kind's floor. Space is given back by reclaim. */
  compactKind(kind: string, floor: number): number;
  /** Gives back the space compaction freed (SQLite: incremental vacuum and a truncating WAL checkpoint; PostgreSQL's autovacuum does it there). */
  reclaim(): void;
  /** Replay (replay.ts): `verify` compares a rebuild with the tables; otherwise rebuilds them in place, in one write. */
  replay(options: { verify: boolean }): Promise<ReplayReport>;
  /** A consistent online copy of the database in `file` (SQLite's backup API), while writes go on. */
  backup(file: string): Promise<BackupInfo>;
  /** Readiness, checked without blocking: the database is open, migrations applied, the log writable now. */
  health(): HealthCheck[];
  /** Checkpoints the WAL into the database file (truncating it) and closes. */
  close(): void;
}

/** What tests measure, off the hot path unless asked for. */
export interface StoreInstruments {
  /** Every SQL statement SQLite ran so far; only for a store opened with `countStatements` (throws otherwise). */
  statementCount(): number;
}

/** The store: each part behind its own interface, so a caller can ask for only the part it uses. */
export interface Store extends EventLog, Projections, LogHistory, Maintenance, StoreInstruments {
  /** Issued credentials (service-account and node tokens), by token hash. */
  tokens: TokenStore;
}
