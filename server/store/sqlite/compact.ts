/**
 * Compaction: folds the log below a floor into the projections. Events at or below the floor go;
 * object and label versions that ended at or below it go; what was alive at the floor stays (with
 * its body, copied from its event first), so the tables at the floor are the snapshot that replay
 * starts from. Reads below the floor are EXPIRED.
 */
import type Database from 'better-sqlite3';

/**
 * Before the events at or below @floor go: the versions that survive them (alive at the floor)
 * and whose body is still their opening event's (version-body.ts) get it copied into their row.
 * Driven by the events about to go (CROSS JOIN keeps them outermost: one primary-key lookup of the
 * version each), so its cost is that of the deletion, not of the objects table.
 */
function keepSurvivingBodies(kindFilter: string): string {
  return `UPDATE objects SET object = (SELECT e.object FROM events e WHERE e.revision = objects.from_rev)
    WHERE rowid IN (
      SELECT o.rowid FROM events e CROSS JOIN objects o
        ON o.kind = e.kind AND o.namespace = e.namespace AND o.name = e.name AND o.from_rev = e.revision
      WHERE ${kindFilter}e.revision <= @floor AND o.object IS NULL AND (o.to_rev IS NULL OR o.to_rev > @floor))`;
}

export function compactBelow(sqlite: Database.Database, floor: number): void {
  sqlite
    .transaction(() => {
      sqlite.prepare(keepSurvivingBodies('')).run({ floor });
      sqlite.prepare('DELETE FROM events WHERE revision <= ?').run(floor);
      sqlite.prepare('DELETE FROM objects WHERE to_rev <= ?').run(floor);
      sqlite.prepare('DELETE FROM labels WHERE to_rev <= ?').run(floor);
      sqlite.prepare(`INSERT INTO store_meta (key, value) VALUES ('floor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(String(floor));
    })
    .immediate();
}

/** The store_meta key of a kind's own floor (kinds compacted faster than the log: retention.ts). */
export const kindFloorKey = (kind: string) => `floor:${kind}`;

/**
 * The statements that remove a kind's versions ended in (`from`, `floor`]: a range of the to_rev
 * index. (`+kind` keeps SQLite from choosing the kind's primary-key range instead: every version of
 * the kind, current or not, read at each step; at 5,000 nodes that was 150,000 Lease rows per step
 * and most of the API server's time in compaction.)
 */
export const DELETE_KIND_VERSIONS = {
  objects: 'DELETE FROM objects WHERE +kind = @kind AND to_rev > @from AND to_rev <= @floor',
  labels: 'DELETE FROM labels WHERE +kind = @kind AND to_rev > @from AND to_rev <= @floor',
} as const;

/**
 * Compaction of one kind only, above the log's floor: that kind's events at or below `floor` go,
 * and its object and label versions that ended at or below it; what was alive at `floor` stays (the
 * kind's snapshot, which replay starts that kind from). Reads of the kind below it are EXPIRED.
 * `from` is the kind's floor now (the log's, if higher): its versions that ended at or below it are
 * gone already, so only those that ended above it are looked at.
 */
export function compactKindBelow(sqlite: Database.Database, kind: string, from: number, floor: number): void {
  sqlite
    .transaction(() => {
      sqlite.prepare(keepSurvivingBodies('e.kind = @kind AND ')).run({ kind, floor });
      sqlite.prepare('DELETE FROM events WHERE kind = ? AND revision <= ?').run(kind, floor);
      sqlite.prepare(DELETE_KIND_VERSIONS.objects).run({ kind, from, floor });
      sqlite.prepare(DELETE_KIND_VERSIONS.labels).run({ kind, from, floor });
      sqlite.prepare(`INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`).run(kindFloorKey(kind), String(floor));
    })
    .immediate();
}

/** Every kind's own floor, read from store_meta. */
export function readKindFloors(sqlite: Database.Database): Map<string, number> {
  const rows = sqlite.prepare(`SELECT key, value FROM store_meta WHERE key LIKE 'floor:%'`).all() as Array<{ key: string; value: string }>;
  return new Map(rows.map((r) => [r.key.slice('floor:'.length), Number(r.value)]));
}
