import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // graphql 16 has no exports map: without this alias vite loads index.mjs while Node loads
  // index.js, `instanceof GraphQLError` fails across the two copies and errors get masked.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    include: ['test/**/*.test.ts'],
    // The compiled build the spawned components and kq run (scripts/build.mjs --if-stale).
    globalSetup: ['test/support/global-build.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Test files share their worker's loaded modules instead of importing the server afresh each
    // (about 1.5 s per file of the 150, twice the suite's own work on a 2-core machine). Every
    // test starts its own servers, stores and processes; what our modules hold between files is
    // caches (the built schema, classified queries) and the default connection pool.
    isolate: false,
  },
});
