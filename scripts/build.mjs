#!/usr/bin/env node
/**
 * `npm run build`: compiles server/ to dist/ (tsc -p tsconfig.build.json). With `--if-stale` it
 * compiles only when dist/ is missing or older than a source file, so `npm start` and the component
 * scripts run current code without paying for a compile each time. Concurrent builds take turns
 * (a lock directory), and the stamp is written last: a build that died half-way is stale.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(root, 'dist');
const stamp = join(dist, '.build-stamp');
const lock = join(root, '.build-lock');
const ifStale = process.argv.includes('--if-stale');

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), s.mtimeMs);
}

function stale() {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  const inputs = ['server', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((p) => join(root, p));
  return inputs.some((p) => existsSync(p) && newest(p) > built);
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function withLock(fn) {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // A lock older than the deadline is left by a build that was killed.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`another build holds ${lock}`);
      sleep(200);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

const code = withLock(() => {
  if (ifStale && !stale()) return 0;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const started = Date.now();
  // A full build starts from nothing, so no output of a deleted source survives it.
  if (!ifStale) rmSync(dist, { recursive: true, force: true });
  rmSync(stamp, { force: true });
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) return r.status ?? 1;
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  if (ifStale) process.stderr.write(`kubeql: compiled server/ to dist/ in ${Date.now() - started} ms\n`);
  return 0;
});
process.exit(code);
