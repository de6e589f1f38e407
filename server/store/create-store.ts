/** The store: the event log and its projections behind the narrow interface of types.ts. */
import { eq } from 'drizzle-orm';
import { KubeqlError } from '../errors.js';
import type { KObject } from '../resources/kind.js';
import { createGroupCommit } from './group-commit.js';
import { listObjects } from './list-objects.js';
import { openDatabase } from './open-database.js';
import { prepareStatements } from './statements.js';
import { toStoredEvent } from './stored-event.js';
import { storeMeta } from './tables.js';
import type { Store, StoreOptions } from './types.js';

export function createStore(options: StoreOptions): Store {
  const { sqlite, db } = openDatabase(options.dataDir, options.synchronous ?? 'FULL');
  let statements = 0;
  const st = prepareStatements(db);
  const counter = { head: st.head.get()?.seq ?? 0 };
  const floorRow = db.select().from(storeMeta).where(eq(storeMeta.key, 'floor')).get();
  const floor = floorRow ? Number(floorRow.value) : 0;
  const listeners = new Set<(head: number) => void>();
  const allocationsOf = options.allocationsOf ?? (() => []);
  const write = createGroupCommit(sqlite, st, counter, allocationsOf, (head) => {
    for (const listener of listeners) listener(head);
  });

  /** The revision a read runs at: undefined for the head (current rows), else a checked past revision. */
  function readRevision(atRevision: number | undefined): number | undefined {
    if (atRevision === undefined || atRevision === counter.head) return undefined;
    if (atRevision > counter.head)
      throw new KubeqlError('BAD_USER_INPUT', `revision ${atRevision} is newer than the head of the log (${counter.head})`, { field: 'atRevision' });
    if (atRevision < floor)
      throw new KubeqlError('EXPIRED', `revision ${atRevision} has been compacted: the oldest revision held is ${floor}`, { floor });
    return atRevision;
  }

  return {
    head: () => counter.head,
    floor: () => floor,
    get(kind, namespace, name, atRevision) {
      const revision = readRevision(atRevision);
      statements++;
      const row = revision === undefined ? st.currentObject.get({ kind, namespace, name }) : st.objectAt.get({ kind, namespace, name, revision });
      return row ? (JSON.parse(row.object) as KObject) : undefined;
    },
    list(query) {
      const revision = readRevision(query.atRevision);
      statements++;
      const { items, hasMore } = listObjects(db, query, revision);
      return { items, hasMore, revision: revision ?? counter.head };
    },
    write,
    readEvents(afterRevision, limit) {
      if (afterRevision < floor)
        throw new KubeqlError('EXPIRED', `revision ${afterRevision} has been compacted: the oldest revision held is ${floor}`, { floor });
      statements++;
      return st.eventsAfter.all({ after: afterRevision, limit }).map(toStoredEvent);
    },
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    statementCount: () => statements,
    close() {
      listeners.clear();
      sqlite.close();
    },
  };
}
