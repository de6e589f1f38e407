/** The compiled build (dist/) for tests that run it: built once when missing or older than the sources (scripts/build.mjs takes a lock, so test files may call it together). */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

let built = false;

/** Once per test file's process: later calls see it done. */
export function ensureBuilt(): void {
  // Built by vitest's globalSetup for this run: every test file uses that build, even if a source
  // changes while the run goes on.
  if (built || process.env.KUBEQL_TEST_BUILD === 'done') return;
  const r = spawnSync(process.execPath, [resolve(root, 'scripts/build.mjs'), '--if-stale'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
  built = true;
}

/** The compiled file of a module under server/, e.g. `dist('cli/main')`. */
export function compiled(entry: string): string {
  ensureBuilt();
  return resolve(root, 'dist', `${entry.replace(/\.ts$/, '')}.js`);
}
