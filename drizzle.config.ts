import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './server/store/sqlite/tables.ts',
  out: './migrations',
});
