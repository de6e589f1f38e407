/**
 * The `migrations` readiness check of either backend: the database holds at least as many applied
 * migrations as this code ships (drizzle-kit's journal). More is fine: a newer server of the same
 * log may have migrated it; fewer means this server's queries may name what is not there yet.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HealthCheck } from './types.js';

/** Number of migrations the code ships in `folder` (read once per store, as migrate applied them at open). */
export function shippedMigrations(folder: string): number {
  return (JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length;
}

/** The check, from the number of migrations the database records as applied. */
export function migrationsCheck(applied: number, shipped: number): HealthCheck {
  return applied >= shipped ? { name: 'migrations', ok: true } : { name: 'migrations', ok: false, message: `${applied} of ${shipped} migrations applied` };
}
