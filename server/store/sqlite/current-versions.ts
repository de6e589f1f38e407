/**
 * Current versions the write path has read or written, kept for the next write that reads them:
 * every create in a namespace reads that Namespace (admission), a pod is read again by its bind and
 * its kubelet's status write, a Lease by its next renewal, and each read was a query and a parse.
 * An entry is the version the objects table holds as current: it is taken only from a committed row
 * or a committed append (never from a batch still open, whose revisions a failure gives back), and
 * any append of its object drops it at once, before the batch commits, so it never outlives the
 * version it names (a batch that rolls back only loses the entry). The objects are the parsed rows
 * and the appended objects (those the log's events hold), read only: the write transaction hands
 * out copies. Bounded: the least recently used go first.
 */
import { LRUCache } from 'lru-cache';
import type { KObject } from '../../resources/kind.js';

export interface CurrentVersion {
  object: KObject;
  revision: number;
}

export interface CurrentVersions {
  get(key: string): CurrentVersion | undefined;
  /** Keeps `version` for `key` if its revision is committed (≤ `committedHead`). */
  keep(key: string, version: CurrentVersion): void;
  /** An append of `key`: its kept version is no longer current. */
  forget(key: string): void;
  /** Forgets everything (the tables were rebuilt). */
  clear(): void;
}

/** An object's key in the kept versions. */
export const versionKey = (kind: string, namespace: string, name: string) => `${kind}\u0000${namespace}\u0000${name}`;

export function createCurrentVersions(capacity: number, committedHead: () => number): CurrentVersions {
  // lru-cache: get makes a key the most recently used, set past the capacity drops the least recently used, in constant time.
  const kept = new LRUCache<string, CurrentVersion>({ max: capacity });
  return {
    get: (key) => kept.get(key),
    keep(key, version) {
      if (version.revision <= committedHead()) kept.set(key, version);
    },
    forget(key) {
      kept.delete(key);
    },
    clear() {
      kept.clear();
    },
  };
}
