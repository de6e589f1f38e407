/**
 * Digests of the projected tables (objects, labels, allocations): SHA-256 over every row in
 * primary-key order, each row as the JSON array of its columns (an object version's body as
 * readers see it, whether its row or its event holds it). Two databases whose projections
 * are identical have equal digests; firstDifference walks two of them in that order and names the
 * first row where they part. A replay's scratch database has tables but no log: its versions'
 * bodies are in the events of the log it was replayed from, passed as `log`.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Difference, ProjectedTable, ProjectionDigest, TableDigest } from '../records.js';
import { PROJECTED_TABLES } from '../records.js';
import { versionBodySql } from './version-body.js';

interface TableLayout {
  columns: string[];
  /** Indexes into `columns` of the primary key, in key order. */
  key: number[];
}

function layout(db: Database.Database, table: string): TableLayout {
  const info = db.pragma(`table_info(${table})`) as Array<{ name: string; pk: number }>;
  const columns = info.map((c) => c.name);
  const key = info
    .filter((c) => c.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((c) => columns.indexOf(c.name));
  return { columns, key };
}

/** `log`: where the events of `db`'s versions are, when not in `db` (a replay's scratch database). */
function orderedRows(db: Database.Database, table: string, l: TableLayout, log?: Database.Database): IterableIterator<unknown[]> {
  const order = l.key.map((i) => `t."${l.columns[i]}"`).join(', ');
  // A version's body as readers see it, wherever it is stored (version-body.ts): in the version's
  // event while that lives (NULL in the row), else in the row.
  if (table === 'objects' && log) return withBodiesFrom(log, db.prepare(`SELECT ${l.columns.map((c) => `t."${c}"`).join(', ')} FROM ${table} t ORDER BY ${order}`).raw(true).iterate() as IterableIterator<unknown[]>, l);
  const cols = l.columns.map((c) => (table === 'objects' && c === 'object' ? versionBodySql('t') : `t."${c}"`)).join(', ');
  return db.prepare(`SELECT ${cols} FROM ${table} t ORDER BY ${order}`).raw(true).iterate() as IterableIterator<unknown[]>;
}

/** Objects rows whose body is NULL, given the body of their opening event in `log` (one primary-key lookup each). */
function* withBodiesFrom(log: Database.Database, rows: IterableIterator<unknown[]>, l: TableLayout): Generator<unknown[], void, undefined> {
  const body = log.prepare('SELECT object FROM events WHERE revision = ?').pluck();
  const objectAt = l.columns.indexOf('object');
  const fromAt = l.columns.indexOf('from_rev');
  try {
    for (const row of rows) {
      if (row[objectAt] === null) row[objectAt] = (body.get(row[fromAt]) as string | undefined) ?? null;
      yield row;
    }
  } finally {
    rows.return?.();
  }
}

export function digestProjections(db: Database.Database, log?: Database.Database): ProjectionDigest {
  const tables = PROJECTED_TABLES.map((table): TableDigest => {
    const hash = createHash('sha256');
    let rows = 0;
    for (const row of orderedRows(db, table, layout(db, table), log)) {
      hash.update(JSON.stringify(row));
      hash.update('\n');
      rows++;
    }
    return { table, rows, sha256: hash.digest('hex') };
  });
  const all = createHash('sha256');
  for (const t of tables) all.update(`${t.table}:${t.sha256}\n`);
  return { digest: all.digest('hex'), tables };
}

/** SQLite's order of two key values (integers numerically, text by bytes, as BINARY collation). */
function compareValue(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return Buffer.compare(Buffer.from(String(a)), Buffer.from(String(b)));
}

function compareKey(a: unknown[], b: unknown[], key: number[]): number {
  for (const i of key) {
    const c = compareValue(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

function describe(table: ProjectedTable, l: TableLayout, expected: unknown[] | undefined, actual: unknown[] | undefined): Difference {
  const asRecord = (row: unknown[] | undefined) => (row ? Object.fromEntries(l.columns.map((c, i) => [c, row[i]])) : null);
  const e = asRecord(expected);
  const a = asRecord(actual);
  const any = (e ?? a)!;
  return {
    table,
    kind: String(any.kind),
    namespace: String(any.namespace),
    name: String(any.name),
    revision: typeof any.from_rev === 'number' ? any.from_rev : null,
    expected: e,
    actual: a,
  };
}

/** The first row, in table and key order, where `actual` differs from `expected` (whose log is `expectedLog` when not in it); undefined when none does. */
export function firstDifference(expected: Database.Database, actual: Database.Database, expectedLog?: Database.Database): Difference | undefined {
  for (const table of PROJECTED_TABLES) {
    const l = layout(expected, table);
    const left = orderedRows(expected, table, l, expectedLog);
    const right = orderedRows(actual, table, l);
    let a = left.next();
    let b = right.next();
    try {
      while (!a.done || !b.done) {
        if (a.done) return describe(table, l, undefined, b.value);
        if (b.done) return describe(table, l, a.value, undefined);
        const order = compareKey(a.value, b.value, l.key);
        if (order < 0) return describe(table, l, a.value, undefined);
        if (order > 0) return describe(table, l, undefined, b.value);
        if (JSON.stringify(a.value) !== JSON.stringify(b.value)) return describe(table, l, a.value, b.value);
        a = left.next();
        b = right.next();
      }
    } finally {
      left.return?.();
      right.return?.();
    }
  }
  return undefined;
}

/** One line naming a difference, for people. */
export function formatDifference(d: Difference): string {
  const where = `${d.kind} ${d.namespace ? `${d.namespace}/` : ''}${d.name}${d.revision !== null ? ` (version from revision ${d.revision})` : ''}`;
  const what = !d.expected ? 'is only in the live tables' : !d.actual ? 'is missing from the live tables' : 'differs';
  return `${d.table}: ${where} ${what}`;
}
