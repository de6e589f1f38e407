import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { eq, getTableColumns, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { directQuery, directStatement } from '../../server/store/sqlite/direct-statement.js';
import { openDatabase } from '../../server/store/sqlite/open-database.js';
import { prepareStatements } from '../../server/store/sqlite/statements.js';
import { events } from '../../server/store/sqlite/tables.js';

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

describe('directQuery', () => {
  it('answers the rows drizzle\'s prepared get and all answer, keyed by the selected fields, limits and expressions included', () => {
    const { sqlite, db } = open();
    const insert = directStatement(sqlite, db.insert(things).values({ id: p('id'), name: p('name'), tags: null, note: p('note'), version: p('version') }).prepare());
    for (let i = 1; i <= 5; i++) insert.run({ id: i, name: i % 2 ? 'odd' : 'even', note: i === 3 ? null : `n${i}`, version: i * 10 });
    const selected = db
      .select({ version: things.version, label: sql<string>`${things.name} || '-' || ${things.id}`, note: things.note })
      .from(things)
      .where(eq(things.name, p('name')))
      .orderBy(things.id)
      .limit(p('limit'))
      .prepare();
    const direct = directQuery<{ version: number; label: string; note: string | null }>(sqlite, selected, ['version', 'label', 'note']);
    for (const values of [{ name: 'odd', limit: 2 }, { name: 'odd', limit: 10 }, { name: 'even', limit: 10 }, { name: 'none', limit: 10 }]) {
      expect(direct.all(values)).toEqual(selected.all(values));
      expect(direct.get(values)).toEqual(selected.get(values));
    }
    expect(direct.all({ name: 'odd', limit: 10 })).toEqual([
      { version: 10, label: 'odd-1', note: 'n1' },
      { version: 30, label: 'odd-3', note: null },
      { version: 50, label: 'odd-5', note: 'n5' },
    ]);
    expect(direct.get({ name: 'none', limit: 1 })).toBeUndefined();
    // A key per selected field, or it is refused when prepared.
    expect(() => directQuery(sqlite, selected, ['version', 'label'])).toThrow(/2 keys for 3 columns/);
  });

  it('the store\'s reads of the log answer events keyed as drizzle\'s select() of the table', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubeql-direct-'));
    try {
      const { sqlite, db } = openDatabase(dir);
      const st = prepareStatements(db, sqlite);
      const row = (revision: number, requestId: string | null) => ({
        revision, ts: 1_700_000_000_000 + revision, actor: 'admin', verb: 'create', type: 'ADDED', kind: 'Pod', namespace: 'ns', name: `p${revision}`,
        uid: `u${revision}`, prevRevision: revision > 1 ? revision - 1 : null, object: JSON.stringify({ spec: { nodeName: 'n1' } }), requestId,
      });
      for (let r = 1; r <= 3; r++) st.insertEvent.run(row(r, r === 2 ? 'req' : null));
      const viaDrizzle = db.select().from(events).orderBy(events.revision).all();
      expect(Object.keys(viaDrizzle[0])).toEqual(Object.keys(getTableColumns(events)));
      expect(st.eventsAfter.all({ after: 0, limit: 10 })).toEqual(viaDrizzle);
      expect(st.kindEventsAfter.all({ kind: 'Pod', after: 1, limit: 10 })).toEqual(viaDrizzle.slice(1));
      expect(st.nodeEventsAfter.all({ after: 0, upTo: 2, nodeName: 'n1', limit: 10 })).toEqual(viaDrizzle.slice(0, 2));
      expect(st.eventsForRequest.all({ actor: 'admin', requestId: 'req' })).toEqual([viaDrizzle[1]]);
      expect(viaDrizzle[1]).toEqual(row(2, 'req'));
      sqlite.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
