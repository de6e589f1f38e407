/**
 * Current versions the write path has read, kept for the next write that reads them: every create
 * in a namespace reads that Namespace (admission), and each read was a query and a parse. An entry
 * is the version the objects table holds as current: it is taken only from a committed row (never
 * from a batch still open, whose revisions a failure gives back), and any append of its object
 * drops it at once, before the batch commits, so it never outlives the version it names (a batch
 * that rolls back only loses the entry). The objects are the parsed rows, read only (the write
 * transaction hands out copies). Bounded: the least recently used go first.
 */
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

export function createCurrentVersions(capacity: number, committedHead: () => number): CurrentVersions {
  const kept = new Map<string, CurrentVersion>();
  return {
    get(key) {
      const version = kept.get(key);
      if (version) {
        // Most recently used goes last.
        kept.delete(key);
        kept.set(key, version);
      }
      return version;
    },
    keep(key, version) {
      if (version.revision > committedHead()) return;
      kept.delete(key);
      kept.set(key, version);
      if (kept.size > capacity) kept.delete(kept.keys().next().value!);
    },
    forget(key) {
      kept.delete(key);
    },
    clear() {
      kept.clear();
    },
  };
}
