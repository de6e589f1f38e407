/**
 * Readiness of a PostgreSQL API server's store: `migrations` (the database holds every migration
 * this code ships, as on SQLite) beside `database` and `log-replication`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsCheck, shippedMigrations } from '../../server/store/migrations-check.js';
import { postgresMigrationsFolder } from '../../server/store/postgres/migrate.js';
import { registryAllocations } from '../../server/store/registry-allocations.js';
import { openPostgresStore } from '../../server/store/postgres/create-store.js';
import { postgresMissing, startPostgres, type PostgresServer } from '../support/postgres.js';
import pg from 'pg';

let postgres: PostgresServer | undefined;

beforeAll(async () => {
  if (!postgresMissing) postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
});

describe('the migrations check', () => {
  it('fails, naming the counts, when the database has fewer migrations than the code ships; more is fine', () => {
    expect(migrationsCheck(1, 3)).toEqual({ name: 'migrations', ok: false, message: '1 of 3 migrations applied' });
    expect(migrationsCheck(3, 3)).toEqual({ name: 'migrations', ok: true });
    expect(migrationsCheck(4, 3)).toEqual({ name: 'migrations', ok: true });
  });
});

describe.skipIf(postgresMissing !== undefined)('readiness checks of the PostgreSQL store', () => {
  it('include migrations, passing once the store has migrated the database, with the count PostgreSQL records', async () => {
    const url = await postgres!.createDatabase();
    const store = await openPostgresStore({ url, allocationsOf: registryAllocations });
    try {
      const checks = store.health();
      expect(checks.map((c) => c.name)).toEqual(['database', 'migrations', 'log-replication']);
      expect(checks.every((c) => c.ok)).toBe(true);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
        expect(rows[0].n).toBe(shippedMigrations(postgresMigrationsFolder));
      } finally {
        await client.end();
      }
    } finally {
      await store.shutdown();
    }
  });
});
