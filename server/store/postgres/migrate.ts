/**
 * Brings the PostgreSQL schema up to date with the drizzle-kit migrations in migrations/postgres/,
 * under an advisory lock so several API servers starting at once migrate one after another, and
 * makes sure the log's head row exists.
 */
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type pg from 'pg';
import { packagePath } from '../../package-root.js';

/** Any fixed number: the advisory lock's name among this database's locks. */
const MIGRATION_LOCK = 7_411_230;

export const postgresMigrationsFolder = packagePath('migrations', 'postgres');

export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle({ client }), { migrationsFolder: postgresMigrationsFolder });
      await client.query('INSERT INTO log_head (id, head) VALUES (1, 0) ON CONFLICT (id) DO NOTHING');
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** How many migrations the database records as applied (drizzle's journal table in PostgreSQL). */
export async function appliedMigrations(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations');
  return Number(rows[0].n);
}
