/**
 * Benchmarks measure the server as `npm start` runs it: compiled by tsc into dist/ (built first
 * when stale). KUBEQL_BENCH_FROM_SOURCE=1 runs the TypeScript through tsx instead: tsx keeps
 * function names (esbuild's keepNames), which wraps every closure the server makes in a call that
 * defines its `name` (about 2% of a createPod's CPU in the write benchmark's profile).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const FROM_SOURCE = process.env.KUBEQL_BENCH_FROM_SOURCE === '1';
const root = resolve(import.meta.dirname, '..');
let built = false;

/** Builds dist/ when it is older than the sources (once per process); nothing from source. */
export function ensureCompiled(): void {
  if (FROM_SOURCE || built) return;
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`the build failed (exit ${build.status})`);
  built = true;
}

/** The node arguments that run a component's entry point (`api/main`): dist/api/main.js, or server/api/main.ts through tsx. */
export function entryArgs(entry: string): string[] {
  ensureCompiled();
  return FROM_SOURCE ? ['--import', 'tsx', resolve(root, 'server', `${entry}.ts`)] : [resolve(root, 'dist', `${entry}.js`)];
}
