/**
 * The records the store's interfaces speak in (types.ts), whichever backend holds them: issued
 * credentials, audit and history pages, backup and replay reports.
 */
import type { Allocation, KObject } from '../resources/kind.js';
import type { StoredEvent } from './types.js';

/** The tables that are a function of the log (replay rebuilds exactly these). */
export const PROJECTED_TABLES = ['objects', 'labels', 'allocations'] as const;

export interface TokenRecord {
  tokenHash: string;
  identity: string;
  groups: string[];
  createdAt: number;
  expiresAt: number | null;
  tokenId: string | null;
  issuedBy: string | null;
  boundNamespace: string | null;
  boundName: string | null;
  boundUid: string | null;
  revokedAt: number | null;
  revokedBy: string | null;
}

/** A token as issued (its id, never its hash). */
export type NewToken = Omit<TokenRecord, 'revokedAt' | 'revokedBy' | 'tokenId' | 'issuedBy'> & { tokenId: string; issuedBy: string };

export interface CredentialEvent {
  id: number;
  ts: number;
  actor: string;
  action: 'issue' | 'revoke';
  tokenId: string;
  identity: string;
  expiresAt: number | null;
}

export interface TokenStore {
  /** Saves a new token and its `issue` audit record, in one transaction. */
  save(record: NewToken): void;
  find(tokenHash: string): TokenRecord | undefined;
  /** The token with this public id (undefined when none). */
  byId(tokenId: string): Omit<TokenRecord, 'tokenHash'> | undefined;
  /** Marks the token revoked and records the `revoke`, in one transaction; false when it was revoked already. */
  revoke(tokenId: string, actor: string, at: number): boolean;
  /** The audit record, oldest first, after `afterId`, optionally of one identity. */
  events(filter: { identity?: string; afterId: number; limit: number }): CredentialEvent[];
}

export interface AuditPage {
  events: StoredEvent[];
  /** More matching events follow the last one (at the time of the read). */
  hasMore: boolean;
}

export interface BackupInfo {
  revision: number;
  floor: number;
  bytes: number;
  /** What the file is: an SQLite database (the default), or pg_dump's custom format (the PostgreSQL store). */
  format?: 'sqlite' | 'pg_dump';
}

export interface ObjectVersionRecord {
  event: StoredEvent;
  /** The object as it was before this event (undefined for a create). */
  previous: KObject | undefined;
}

export interface HistoryPage {
  versions: ObjectVersionRecord[];
  hasMore: boolean;
}

export type ProjectedTable = (typeof PROJECTED_TABLES)[number];

export interface TableDigest {
  table: ProjectedTable;
  rows: number;
  sha256: string;
}

export interface ProjectionDigest {
  /** SHA-256 over the tables' digests, in PROJECTED_TABLES order. */
  digest: string;
  tables: TableDigest[];
}

export interface Difference {
  table: ProjectedTable;
  kind: string;
  namespace: string;
  name: string;
  /** from_rev of the differing row (objects, labels). */
  revision: number | null;
  /** The row in each database (column → value); null where that database lacks it. */
  expected: Record<string, unknown> | null;
  actual: Record<string, unknown> | null;
}

export interface ReplayStats {
  /** The revision the projections were rebuilt at. */
  revision: number;
  /** The compaction floor the snapshot was taken at. */
  floor: number;
  snapshotObjects: number;
  events: number;
  ms: number;
  /** CPU time of each thread of a parallel replay (Linux), for the benchmark. */
  threads?: { mainCpuMs?: number; workerCpuMs?: number };
}

/**
 * The values an object holds that must be unique cluster-wide. `kinds`, when given, names every kind
 * whose objects can hold any: replay then parses in full only those objects' JSON, and reads the few
 * fields projectEvent needs of the others straight from the log (without it, every object is parsed).
 */
export type AllocationsOf = ((o: KObject) => Allocation[]) & { readonly kinds?: readonly string[] };

export interface ReplayReport extends ReplayStats {
  /** Digest of the replayed projections. */
  digest: string;
  /** Digest of the database's own projections at the same revision. */
  liveDigest: string;
  match: boolean;
  /** The first row (table and key order) where the live tables differ from the replay. */
  firstDifference?: Difference;
  tables: TableDigest[];
  liveTables: TableDigest[];
}
