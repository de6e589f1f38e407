import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * Files whose deadlines are short by design (a node-monitor grace period of 2-2.5 s against
 * heartbeats every 200-300 ms, heartbeat latency under a write storm, every node's Lease renewed
 * within a few intervals): they run one at a time, after the others, so that another test file's
 * load on the same two cores cannot stretch a heartbeat past its grace period.
 */
const ALONE = [
  'test/controllers/node-lifecycle.test.ts',
  'test/controllers/daemonset.test.ts',
  'test/e2e/node-failure.test.ts',
  'test/api/priority-levels.test.ts',
  'test/agent/connections.test.ts',
];

export default defineConfig({
  // graphql 16 has no exports map: without this alias vite loads index.mjs while Node loads
  // index.js, `instanceof GraphQLError` fails across the two copies and errors get masked.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    // The compiled build the spawned components and kq run (scripts/build.mjs --if-stale).
    globalSetup: ['test/support/global-build.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        // Two files at a time on a 2-core machine: most of a file's time is waiting on its servers,
        // processes and sockets, so one worker leaves a core idle (vitest's default is cores - 1).
        test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: ALONE, maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      { extends: true, test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
