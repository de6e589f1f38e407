/**
 * A copy of a migrations folder (SQLite's, or `postgres` for PostgreSQL's) as it was before
 * migration `idx`: the journal's entries below it and their files, in a new folder under `root`.
 * Migrating a database with it gives the schema an older release wrote, for tests of what the later
 * migrations do to its data.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function migrationsBefore(idx: number, root: string, dialect: 'sqlite' | 'postgres' = 'sqlite'): string {
  const folder = join(root, `migrations-${dialect}-before-${idx}`);
  cpSync(join(import.meta.dirname, '../../migrations', dialect === 'postgres' ? 'postgres' : ''), folder, { recursive: true, filter: (source) => dialect === 'postgres' || !source.endsWith('/migrations/postgres') });
  const journalFile = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: Array<{ idx: number; tag: string }> };
  const later = journal.entries.filter((e) => e.idx >= idx);
  if (!later.some((e) => e.idx === idx)) throw new Error(`no migration ${idx} in the journal`);
  journal.entries = journal.entries.filter((e) => e.idx < idx);
  writeFileSync(journalFile, JSON.stringify(journal));
  for (const e of later) rmSync(join(folder, `${e.tag}.sql`));
  return folder;
}
