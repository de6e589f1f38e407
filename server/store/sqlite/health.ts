/**
 * Readiness of the store, checked without blocking: the database is open, every migration is
 * applied, and the log is writable right now (the write lock can be taken at once: busy_timeout 0,
 * BEGIN IMMEDIATE, ROLLBACK, timeout restored).
 */
import type Database from 'better-sqlite3';
import type { HealthCheck } from '../types.js';
import { packagePath } from '../../package-root.js';
import { migrationsCheck as compareMigrations, shippedMigrations as shippedIn } from '../migrations-check.js';

/** Number of migrations the code ships for SQLite (read once per store, as migrate applied them at open). */
export function shippedMigrations(): number {
  return shippedIn(packagePath('migrations'));
}

export function checkHealth(sqlite: Database.Database, expectedMigrations: number): HealthCheck[] {
  if (!sqlite.open) return [{ name: 'database', ok: false, message: 'the database is closed' }];
  const checks: HealthCheck[] = [{ name: 'database', ok: true }];
  checks.push(migrationsCheck(sqlite, expectedMigrations));
  checks.push(writableCheck(sqlite));
  return checks;
}

function migrationsCheck(sqlite: Database.Database, expected: number): HealthCheck {
  try {
    const { n } = sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number };
    return compareMigrations(n, expected);
  } catch (error) {
    return { name: 'migrations', ok: false, message: (error as Error).message };
  }
}

function writableCheck(sqlite: Database.Database): HealthCheck {
  // Between ticks no write transaction of ours is open (group commit runs each batch synchronously).
  if (sqlite.inTransaction) return { name: 'log-writable', ok: true };
  const timeout = sqlite.pragma('busy_timeout', { simple: true }) as number;
  sqlite.pragma('busy_timeout = 0');
  try {
    sqlite.exec('BEGIN IMMEDIATE');
    sqlite.exec('ROLLBACK');
    return { name: 'log-writable', ok: true };
  } catch (error) {
    return { name: 'log-writable', ok: false, message: (error as Error).message };
  } finally {
    sqlite.pragma(`busy_timeout = ${timeout}`);
  }
}
