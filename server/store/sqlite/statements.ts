/** The prepared statements of the append path and of point reads, built once per database. */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { allocations, events, labels, objects } from './tables.js';
import { versionBody } from './version-body.js';
import { directStatement } from './direct-statement.js';

const p = (name: string) => sql.placeholder(name);

export function prepareStatements(db: BetterSQLite3Database, sqlite: Database.Database) {
  // The writes of the append path run several times per write: run directly (direct-statement.ts).
  const direct = (prepared: { getQuery(): { sql: string; params: unknown[] } }) => directStatement(sqlite, prepared);
  // The body of a version: in its opening event while that is in the log (version-body.ts).
  const body = versionBody('objects');
  const sameObject = (t: typeof objects | typeof labels) =>
    and(eq(t.kind, p('kind')), eq(t.namespace, p('namespace')), eq(t.name, p('name')));
  return {
    insertEvent: direct(
      db
        .insert(events)
        .values({
          revision: p('revision'),
          ts: p('ts'),
          actor: p('actor'),
          verb: p('verb'),
          type: p('type'),
          kind: p('kind'),
          namespace: p('namespace'),
          name: p('name'),
          uid: p('uid'),
          prevRevision: p('prevRevision'),
          object: p('object'),
          requestId: p('requestId'),
        })
        .prepare(),
    ),
    closeObject: direct(
      db.update(objects).set({ toRev: sql`${p('revision')}` }).where(and(sameObject(objects), isNull(objects.toRev))).prepare(),
    ),
    insertObject: direct(
      db
        .insert(objects)
        .values({
          kind: p('kind'),
          namespace: p('namespace'),
          name: p('name'),
          fromRev: p('revision'),
          uid: p('uid'),
          nodeName: p('nodeName'),
          phase: p('phase'),
          controllerUid: p('controllerUid'),
          // The body is the event's object, inserted just before: stored once, there.
          object: null,
        })
        .prepare(),
    ),
    currentObject: db
      .select({ fromRev: objects.fromRev, object: body })
      .from(objects)
      .where(and(sameObject(objects), isNull(objects.toRev)))
      .prepare(),
    currentInNamespace: db
      .select({ object: body })
      .from(objects)
      .where(and(eq(objects.kind, p('kind')), eq(objects.namespace, p('namespace')), isNull(objects.toRev)))
      .orderBy(objects.name)
      .prepare(),
    objectAt: db
      .select({ object: body })
      .from(objects)
      .where(
        and(
          sameObject(objects),
          sql`${objects.fromRev} <= ${p('revision')}`,
          sql`(${objects.toRev} IS NULL OR ${objects.toRev} > ${p('revision')})`,
        ),
      )
      .prepare(),
    objectVersion: db
      .select({ object: body })
      .from(objects)
      .where(and(sameObject(objects), eq(objects.fromRev, p('revision'))))
      .prepare(),
    closeLabel: direct(
      db
        .update(labels)
        .set({ toRev: sql`${p('revision')}` })
        .where(and(sameObject(labels), eq(labels.key, p('key')), isNull(labels.toRev)))
        .prepare(),
    ),
    insertLabel: direct(
      db
        .insert(labels)
        .values({ kind: p('kind'), namespace: p('namespace'), name: p('name'), key: p('key'), value: p('value'), fromRev: p('revision') })
        .prepare(),
    ),
    freeAllocations: direct(
      db
        .delete(allocations)
        .where(and(eq(allocations.kind, p('kind')), eq(allocations.namespace, p('namespace')), eq(allocations.name, p('name'))))
        .prepare(),
    ),
    insertAllocation: direct(
      db
        .insert(allocations)
        .values({ pool: p('pool'), value: p('value'), kind: p('kind'), namespace: p('namespace'), name: p('name') })
        .prepare(),
    ),
    isAllocated: db
      .select({ value: allocations.value })
      .from(allocations)
      .where(and(eq(allocations.pool, p('pool')), eq(allocations.value, p('value'))))
      .prepare(),
    eventsForRequest: db
      .select()
      .from(events)
      .where(and(eq(events.actor, p('actor')), eq(events.requestId, p('requestId'))))
      .orderBy(events.revision)
      .prepare(),
    eventsAfter: db.select().from(events).where(sql`${events.revision} > ${p('after')}`).orderBy(events.revision).limit(p('limit')).prepare(),
    // One range of events_kind (kind, revision).
    kindEventsAfter: db
      .select()
      .from(events)
      .where(and(eq(events.kind, p('kind')), sql`${events.revision} > ${p('after')}`))
      .orderBy(events.revision)
      .limit(p('limit'))
      .prepare(),
    // One node's pod events: one range of events_pod_node (its expression and kind written as the
    // partial index's, literally, so that SQLite uses it).
    nodeEventsAfter: db
      .select()
      .from(events)
      .where(sql`${events.kind} = 'Pod' AND ${events.revision} > ${p('after')} AND ${events.revision} <= ${p('upTo')} AND ${sql.raw('"object"')} ->> '$.spec.nodeName' = ${p('nodeName')}`)
      .orderBy(events.revision)
      .limit(p('limit'))
      .prepare(),
    head: db.select({ seq: sql<number>`seq` }).from(sql`sqlite_sequence`).where(sql`name = 'events'`).prepare(),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
