/**
 * Files the package ships beside its code (schema/, migrations/, dashboard/, package.json), found
 * from the package root rather than from the calling module: the same module runs as TypeScript
 * from server/ and compiled from dist/, at different depths.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'migrations'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no Kubeql package root above ${from}`);
  }
}

/** The directory holding package.json. */
export const PACKAGE_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the package, e.g. `packagePath('migrations')`. */
export function packagePath(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}

/** How this code runs: compiled JavaScript from dist/, or TypeScript from server/ (through tsx or vitest). */
export const RUNNING_COMPILED = import.meta.url.endsWith('.js');
