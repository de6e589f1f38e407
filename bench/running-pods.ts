/**
 * The cluster benchmark's stopwatch: how many pods in its namespaces are Running, read from the
 * database file on a read-only connection of its own. The first count reads the current rows; each
 * later one reads only the Pod events since the last (one range of the log's (kind, revision)
 * index), so a check costs what was written meanwhile instead of a pass over every pod: at 150,000
 * pods that pass took most of a second of a core the plane shares, and held a read snapshot that
 * long (a WAL checkpoint cannot start the file over past it). If compaction removed Pod events this
 * counter had not read yet (the log's floor or the Pod floor past them), it counts afresh.
 */
import type Database from 'better-sqlite3';
import { kindFloorKey } from '../server/store/sqlite/compact.js';
import { LOG_HEAD_SQL } from '../server/store/sqlite/log-head.js';

interface CurrentRow {
  namespace: string;
  name: string;
  phase: string | null;
}

interface EventRow extends CurrentRow {
  revision: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
}

/** A function answering the number of current pods whose phase is Running in namespaces named `${prefix}…`. */
export function runningPodsCounter(db: Database.Database, namespacePrefix: string): () => number {
  const pattern = `${namespacePrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const current = db.prepare(`SELECT namespace, name, phase FROM objects WHERE kind = 'Pod' AND to_rev IS NULL AND namespace LIKE ? ESCAPE '\\'`);
  const since = db.prepare(
    `SELECT revision, type, namespace, name, object ->> '$.status.phase' AS phase FROM events WHERE kind = 'Pod' AND revision > ? AND namespace LIKE ? ESCAPE '\\' ORDER BY revision`,
  );
  // The log's floor and the Pod kind's own (retention.ts), under the keys compaction writes them.
  const floor = db.prepare(`SELECT coalesce(max(CAST(value AS INTEGER)), 0) FROM store_meta WHERE key IN ('floor', ?)`).pluck().bind(kindFloorKey('Pod'));
  const head = db.prepare(LOG_HEAD_SQL).pluck();
  const running = new Set<string>();
  /** Every Pod event up to this revision is counted; -1 before the first count. */
  let counted = -1;
  // One read transaction: the rows, the floor and the head of one snapshot.
  const update = db.transaction(() => {
    if (counted < 0 || (floor.get() as number) > counted) {
      running.clear();
      for (const row of current.iterate(pattern) as IterableIterator<CurrentRow>) if (row.phase === 'Running') running.add(`${row.namespace}/${row.name}`);
      counted = head.get() as number;
      return;
    }
    for (const row of since.iterate(counted, pattern) as IterableIterator<EventRow>) {
      const key = `${row.namespace}/${row.name}`;
      if (row.type !== 'DELETED' && row.phase === 'Running') running.add(key);
      else running.delete(key);
      counted = row.revision;
    }
  });
  return () => {
    update();
    return running.size;
  };
}
