/** The newest revision committed before a time (retention by age): one lookup in events_ts. */
import type Database from 'better-sqlite3';

export function revisionBefore(sqlite: Database.Database, ts: number): number {
  const row = sqlite.prepare('SELECT revision FROM events WHERE ts < ? ORDER BY ts DESC, revision DESC LIMIT 1').pluck().get(ts) as number | undefined;
  return row ?? 0;
}
