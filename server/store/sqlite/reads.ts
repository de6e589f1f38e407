/**
 * The reads of the store over one SQLite database: projections at the head or at a revision, the
 * log by revision, audit and history pages. The SQLite store reads its own database with them, the
 * PostgreSQL store its replica; both only ever show acknowledged writes (at most `published`).
 */
import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { KubeqlError, expired } from '../../errors.js';
import type { KObject } from '../../resources/kind.js';
import type { LogHistory, Projections, Store } from '../types.js';
import { readAudit } from './audit-read.js';
import { getMany } from './get-many.js';
import { listBy } from './list-by.js';
import { listMatching } from './list-matching.js';
import { listObjects } from './list-objects.js';
import { readHistory } from './object-history.js';
import { logTime } from './log-time.js';
import type { Statements } from './statements.js';
import { toStoredEvent } from './stored-event.js';

/** Where the log stands, as the store owning the database keeps it. */
export interface LogView {
  /** The newest acknowledged revision: what readers may see. */
  published(): number;
  /** The newest revision in the database (above `published` while a batch awaits its acknowledgement). */
  written(): number;
  floor(): number;
  floorOf(kind: string): number;
  logFloor(): number;
}

export type StoreReads = Omit<Projections, 'kindFloor'> & LogHistory & Pick<Store, 'readEvents' | 'readNodePodEvents'>;

export function storeReads(sqlite: Database.Database, db: BetterSQLite3Database, st: Statements, view: LogView): StoreReads {
  const time = logTime(sqlite);
  /** The revision a read runs at: undefined for the head (current rows), else a checked past revision. */
  function readRevision(atRevision: number | undefined, kind?: string): number | undefined {
    const published = view.published();
    // At the head: the current rows, or while a batch awaits its acknowledgement, the acknowledged revision.
    if (atRevision === undefined || atRevision === published) return published === view.written() ? undefined : published;
    if (atRevision > published)
      throw new KubeqlError('BAD_USER_INPUT', `revision ${atRevision} is newer than the head of the log (${published})`, { field: 'atRevision' });
    const floor = view.floor();
    const held = kind === undefined ? floor : view.floorOf(kind);
    if (atRevision < held) throw expired(atRevision, held, undefined, held > floor ? kind : undefined);
    return atRevision;
  }

  return {
    get(kind, namespace, name, atRevision) {
      const revision = readRevision(atRevision, kind);
      const row = revision === undefined ? st.currentObject.get({ kind, namespace, name }) : st.objectAt.get({ kind, namespace, name, revision });
      return row ? (JSON.parse(row.object) as KObject) : undefined;
    },
    list(query) {
      const revision = readRevision(query.atRevision, query.kind);
      const { items, hasMore } = listObjects(db, query, revision);
      return { items, hasMore, revision: revision ?? view.published() };
    },
    getMany(kind, keys, atRevision) {
      const revision = readRevision(atRevision, kind);
      return keys.length === 0 ? [] : getMany(db, kind, keys, revision);
    },
    listBy(kind, index, values, atRevision) {
      const revision = readRevision(atRevision, kind);
      return values.length === 0 ? new Map() : listBy(db, kind, index, values, revision);
    },
    listMatching(kind, selectors, atRevision) {
      const revision = readRevision(atRevision, kind);
      return selectors.length === 0 ? [] : listMatching(db, kind, selectors, revision);
    },
    readEvents(afterRevision, limit, kind) {
      // Below a kind's floor the log has gaps: a watch resuming there relists (as after Kubernetes' etcd compaction).
      const held = kind === undefined ? view.logFloor() : view.floorOf(kind);
      if (afterRevision < held) throw expired(afterRevision, held);
      const rows = kind === undefined ? st.eventsAfter.all({ after: afterRevision, limit }) : st.kindEventsAfter.all({ kind, after: afterRevision, limit });
      const events = rows.map(toStoredEvent);
      // Oldest first: what is above the acknowledged head is a tail.
      const published = view.published();
      while (events.length && events[events.length - 1].revision > published) events.pop();
      return events;
    },
    readNodePodEvents(afterRevision, upTo, limit, nodeName) {
      const held = view.floorOf('Pod');
      if (afterRevision < held) throw expired(afterRevision, held);
      const published = view.published();
      return st.nodeEventsAfter.all({ after: afterRevision, upTo: Math.min(upTo, published), nodeName, limit }).map(toStoredEvent);
    },
    getVersion(kind, namespace, name, revision) {
      const row = st.objectVersion.get({ kind, namespace, name, revision });
      return row ? (JSON.parse(row.object) as KObject) : undefined;
    },
    readAudit(filter, after, limit) {
      const floor = view.floor();
      if (after < floor) throw expired(after, floor);
      const page = readAudit(db, time, filter, after, limit);
      const published = view.published();
      if (published === view.written()) return page;
      // Only acknowledged events: what is above them is the end of the log as readers see it.
      const events = page.events.filter((e) => e.revision <= published);
      return events.length === page.events.length ? page : { events, hasMore: false };
    },
    readHistory(kind, key, after, limit) {
      const page = readHistory(db, kind, key, after, limit);
      const published = view.published();
      if (published === view.written()) return page;
      const versions = page.versions.filter((v) => v.event.revision <= published);
      return versions.length === page.versions.length ? page : { versions, hasMore: false };
    },
    revisionBefore: (ts) => time.revisionBefore(ts),
  };
}
