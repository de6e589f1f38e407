import { defineConfig } from 'drizzle-kit';

// The PostgreSQL backend's migrations (server/store/postgres/); SQLite's stay in drizzle.config.ts.
export default defineConfig({
  dialect: 'postgresql',
  schema: './server/store/postgres/tables.ts',
  out: './migrations/postgres',
});
