import Database from 'better-sqlite3';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { directStatement } from '../../server/store/sqlite/direct-statement.js';

/** A drizzle-built statement run directly binds what drizzle's own `run` binds: placeholders by name, each column's encoding, constants. */
const things = sqliteTable('things', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  tags: text('tags', { mode: 'json' }).$type<string[]>(),
  note: text('note'),
  version: integer('version').notNull(),
});

function open() {
  const sqlite = new Database(':memory:');
  sqlite.exec('CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL, tags TEXT, note TEXT, version INTEGER NOT NULL)');
  return { sqlite, db: drizzle(sqlite) };
}

const p = (name: string) => sql.placeholder(name);

describe('directStatement', () => {
  it('stores the same rows as drizzle\'s prepared run, JSON columns encoded and constants kept', () => {
    const rows = (sqlite: Database.Database) => sqlite.prepare('SELECT * FROM things ORDER BY id').all();
    const results = [false, true].map((direct) => {
      const { sqlite, db } = open();
      const insert = db.insert(things).values({ id: p('id'), name: p('name'), tags: p('tags'), note: null, version: 1 }).prepare();
      const bump = db.update(things).set({ version: sql`${things.version} + ${p('by')}` }).where(eq(things.name, p('name'))).prepare();
      const run = direct ? { insert: directStatement(sqlite, insert), bump: directStatement(sqlite, bump) } : { insert, bump };
      run.insert.run({ id: 1, name: 'a', tags: ['x', 'y'] });
      run.insert.run({ id: 2, name: 'b', tags: null });
      run.bump.run({ name: 'a', by: 5 });
      return rows(sqlite);
    });
    expect(results[1]).toEqual(results[0]);
    expect(results[1]).toEqual([
      { id: 1, name: 'a', tags: '["x","y"]', note: null, version: 6 },
      // drizzle's JSON encoder writes null as the text 'null': the same here.
      { id: 2, name: 'b', tags: 'null', note: null, version: 1 },
    ]);
  });

  it('refuses a missing value and writes nothing', () => {
    const { sqlite, db } = open();
    const insert = directStatement(sqlite, db.insert(things).values({ id: p('id'), name: p('name'), version: 1 }).prepare());
    expect(() => insert.run({ id: 1 })).toThrow(/No value for placeholder "name"/);
    expect(sqlite.prepare('SELECT count(*) AS n FROM things').get()).toEqual({ n: 0 });
  });
});
