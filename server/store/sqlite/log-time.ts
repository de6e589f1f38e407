/**
 * Time to revision in the log, for retention by age and auditLog's `since`. An event's ts never
 * falls below the one before it (write-transaction.ts keeps a new event's at or above the newest's;
 * migration 0010 made the older ones so), so the events committed before a time are a prefix of
 * the log, found by a binary search over revisions: each step one seek of the primary key (the log
 * has gaps where a kind was compacted faster; a step lands on the next event there). There is no
 * index on ts: it cost every append an index entry and a page of every commit (~6% of the rate of
 * pod creates at 16 clients).
 */
import type Database from 'better-sqlite3';

interface Row {
  revision: number;
  ts: number;
}

export interface LogTime {
  /** The first event committed at or after `ts` (undefined when none is). */
  firstAtOrAfter(ts: number): number | undefined;
  /** The newest event committed before `ts` (0 when none is). */
  revisionBefore(ts: number): number;
}

const NEWEST = 'SELECT revision, ts FROM events ORDER BY revision DESC LIMIT 1';

/** The newest event's ts (ms; 0 for an empty log): where the next event's ts starts (write-transaction.ts). */
export function readNewestTs(sqlite: Database.Database): number {
  return (sqlite.prepare(NEWEST).get() as Row | undefined)?.ts ?? 0;
}

export function logTime(sqlite: Database.Database): LogTime {
  const next = sqlite.prepare('SELECT revision, ts FROM events WHERE revision >= ? ORDER BY revision LIMIT 1');
  const newest = sqlite.prepare(NEWEST);
  const before = sqlite.prepare('SELECT revision FROM events WHERE revision < ? ORDER BY revision DESC LIMIT 1').pluck();

  function firstAtOrAfter(ts: number): number | undefined {
    const last = newest.get() as Row | undefined;
    if (!last || last.ts < ts) return undefined;
    // The least r whose next event (at r or after) has ts >= `ts`: false up to the last event before
    // the answer, true from there on.
    let lo = 0;
    let hi = last.revision;
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const row = next.get(mid) as Row; // there is one: mid <= hi <= the newest revision
      if (row.ts >= ts) hi = mid;
      else lo = row.revision + 1;
    }
    return (next.get(lo) as Row).revision;
  }

  return {
    firstAtOrAfter,
    revisionBefore(ts) {
      const first = firstAtOrAfter(ts);
      if (first === undefined) return (newest.get() as Row | undefined)?.revision ?? 0;
      return (before.get(first) as number | undefined) ?? 0;
    },
  };
}
