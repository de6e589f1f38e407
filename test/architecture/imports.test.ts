import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of a file, resolved to .ts paths (type-only imports included: they still couple). */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/g)].map((m) => resolve(dirname(file), m[1].replace(/\.js$/, '.ts')));
}

describe('the import graph (DESIGN §1)', () => {
  it('nothing under controllers, scheduler, agent or cli reaches server/store or server/api, even through other modules', () => {
    const clients = ['controllers', 'scheduler', 'agent', 'cli'].flatMap((d) => {
      try {
        return files(join(root, 'server', d));
      } catch {
        return [];
      }
    });
    expect(clients.length).toBeGreaterThan(0);
    const forbidden = [join(root, 'server/store'), join(root, 'server/api')];
    const violations: string[] = [];
    for (const start of clients) {
      const seen = new Set<string>();
      const stack: Array<[string, string[]]> = [[start, [start]]];
      while (stack.length) {
        const [file, path] = stack.pop()!;
        for (const next of imports(file)) {
          if (forbidden.some((f) => next.startsWith(f + '/'))) violations.push(path.concat(next).map((p) => relative(root, p)).join(' → '));
          else if (!seen.has(next)) {
            seen.add(next);
            stack.push([next, path.concat(next)]);
          }
        }
      }
    }
    expect(violations).toEqual([]);
  });
});
