/** The prepared statements of the append path and of point reads, built once per database. */
import { and, eq, getTableColumns, isNull, sql } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core';
import { allocations, events, labels, objects } from './tables.js';
import { versionBody } from './version-body.js';
import type { VersionRow } from '../project-event.js';
import { directQuery, directStatement, type Prepared } from './direct-statement.js';
import { LOG_HEAD_SQL } from './log-head.js';

const p = (name: string) => sql.placeholder(name);

export function prepareStatements(db: BetterSQLite3Database, sqlite: Database.Database) {
  // The writes of the append path run several times per write: run directly (direct-statement.ts).
  const direct = (prepared: Prepared) => directStatement(sqlite, prepared);
  // So do the point reads; their rows keyed as drizzle's would be.
  type Version = { fromRev: number; object: string };
  type Body = { object: string };
  type EventRow = typeof events.$inferSelect;
  const eventKeys = Object.keys(getTableColumns(events)) as (keyof EventRow & string)[];
  const read = <R extends Record<string, unknown>>(prepared: Prepared, keys: readonly (keyof R & string)[]) =>
    directQuery<R>(sqlite, prepared, keys);
  const readEvents = (prepared: Prepared) => read<EventRow>(prepared, eventKeys);
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
    // An update in place (project-event.ts): the current row's own values read, the row given the
    // new version's (node_name and controller_uid only when they change, so that their partial
    // indexes keep their entries otherwise), and the old values inserted as the closed version.
    supersede: {
      current: read<VersionRow>(
        db
          .select({ fromRev: objects.fromRev, uid: objects.uid, nodeName: objects.nodeName, phase: objects.phase, controllerUid: objects.controllerUid, object: objects.object })
          .from(objects)
          .where(and(sameObject(objects), isNull(objects.toRev)))
          .prepare(),
        ['fromRev', 'uid', 'nodeName', 'phase', 'controllerUid', 'object'],
      ),
      advance: advanceStatements((set) => direct(db.update(objects).set(set).where(and(sameObject(objects), isNull(objects.toRev))).prepare())),
      insertClosed: direct(
        db
          .insert(objects)
          .values({
            kind: p('kind'),
            namespace: p('namespace'),
            name: p('name'),
            fromRev: p('fromRev'),
            toRev: p('toRev'),
            uid: p('uid'),
            nodeName: p('nodeName'),
            phase: p('phase'),
            controllerUid: p('controllerUid'),
            object: p('object'),
          })
          .prepare(),
      ),
    },
    currentObject: read<Version>(
      db
        .select({ fromRev: objects.fromRev, object: body })
        .from(objects)
        .where(and(sameObject(objects), isNull(objects.toRev)))
        .prepare(),
      ['fromRev', 'object'],
    ),
    currentInNamespace: read<Body>(
      db
        .select({ object: body })
        .from(objects)
        .where(and(eq(objects.kind, p('kind')), eq(objects.namespace, p('namespace')), isNull(objects.toRev)))
        .orderBy(objects.name)
        .prepare(),
      ['object'],
    ),
    objectAt: read<Body>(
      db
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
      ['object'],
    ),
    objectVersion: read<Body>(
      db
        .select({ object: body })
        .from(objects)
        .where(and(sameObject(objects), eq(objects.fromRev, p('revision'))))
        .prepare(),
      ['object'],
    ),
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
    isAllocated: read<{ value: string }>(
      db
        .select({ value: allocations.value })
        .from(allocations)
        .where(and(eq(allocations.pool, p('pool')), eq(allocations.value, p('value'))))
        .prepare(),
      ['value'],
    ),
    eventsForRequest: readEvents(
      db
        .select()
        .from(events)
        .where(and(eq(events.actor, p('actor')), eq(events.requestId, p('requestId'))))
        .orderBy(events.revision)
        .prepare(),
    ),
    eventsAfter: readEvents(
      db.select().from(events).where(sql`${events.revision} > ${p('after')}`).orderBy(events.revision).limit(p('limit')).prepare(),
    ),
    // One range of events_kind (kind, revision).
    kindEventsAfter: readEvents(
      db
        .select()
        .from(events)
        .where(and(eq(events.kind, p('kind')), sql`${events.revision} > ${p('after')}`))
        .orderBy(events.revision)
        .limit(p('limit'))
        .prepare(),
    ),
    // One node's pod events: one range of events_pod_node (its expression and kind written as the
    // partial index's, literally, so that SQLite uses it).
    nodeEventsAfter: readEvents(
      db
        .select()
        .from(events)
        .where(sql`${events.kind} = 'Pod' AND ${events.revision} > ${p('after')} AND ${events.revision} <= ${p('upTo')} AND ${sql.raw('"object"')} ->> '$.spec.nodeName' = ${p('nodeName')}`)
        .orderBy(events.revision)
        .limit(p('limit'))
        .prepare(),
    ),
    /** The log's head (log-head.ts). */
    head: sqlite.prepare(LOG_HEAD_SQL).pluck(),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;

type ObjectSet = SQLiteUpdateSetSource<typeof objects>;

/** The four updates of a current row in place, by whether its node and its controller change; each prepared once. */
function advanceStatements<S>(prepare: (set: ObjectSet) => S): (nodeChanged: boolean, controllerChanged: boolean) => S {
  const variants = [false, true].flatMap((node) =>
    [false, true].map((controller) =>
      prepare({
        fromRev: sql`${p('revision')}`,
        uid: sql`${p('uid')}`,
        phase: sql`${p('phase')}`,
        // The body is the event's object, as for an inserted version (version-body.ts).
        object: null,
        ...(node ? { nodeName: sql`${p('nodeName')}` } : {}),
        ...(controller ? { controllerUid: sql`${p('controllerUid')}` } : {}),
      }),
    ),
  );
  return (nodeChanged, controllerChanged) => variants[(nodeChanged ? 2 : 0) + (controllerChanged ? 1 : 0)];
}
