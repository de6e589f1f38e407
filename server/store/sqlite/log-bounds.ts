/** The floor and head of a database's log, read straight from its tables (for the maintenance commands, which run without a store). */
import type Database from 'better-sqlite3';
import { readLogHead } from './log-head.js';

export function logBounds(db: Database.Database): { floor: number; head: number } {
  const floor = db.prepare("SELECT value FROM store_meta WHERE key = 'floor'").pluck().get() as string | undefined;
  return { floor: floor ? Number(floor) : 0, head: readLogHead(db) };
}
