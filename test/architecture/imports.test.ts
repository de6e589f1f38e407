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

/** Every import specifier of a file, relative or not. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);
}

const tree = (dir: string) => files(join(root, dir));

describe('layers and dependencies', () => {
  it('the server side (api, store, resources, client) never imports server/components, which runs the processes above it (a process entry point, main.ts, may)', () => {
    const components = join(root, 'server/components');
    const violations = ['api', 'store', 'resources', 'client', 'logging']
      .flatMap((d) => tree(`server/${d}`))
      .filter((f) => !f.endsWith('/main.ts'))
      .flatMap((f) => imports(f).filter((i) => i.startsWith(components + '/')).map((i) => `${relative(root, f)} → ${relative(root, i)}`));
    expect(violations).toEqual([]);
  });

  it('no file outside server/store imports drizzle', () => {
    const store = join(root, 'server/store') + '/';
    const violations = ['server', 'test', 'bench']
      .flatMap(tree)
      .filter((f) => !f.startsWith(store))
      .filter((f) => specifiers(f).some((s) => s === 'drizzle-orm' || s.startsWith('drizzle-orm/')))
      .map((f) => relative(root, f));
    expect(violations).toEqual([]);
  });

  it('errors and warnings go through the logger (or a command\'s own stderr), never console.error or console.warn', () => {
    const violations = tree('server').filter((f) => /\bconsole\.(error|warn)\s*\(/.test(readFileSync(f, 'utf8'))).map((f) => relative(root, f));
    expect(violations).toEqual([]);
  });
});

describe('one object client', () => {
  it('no component writes GraphQL for objects itself: get, list, create, update, patch, status, delete, scale, bind and watch go through server/client/object-client.ts', async () => {
    const { kinds } = await import('../../server/resources/registry.js');
    const fields = kinds.flatMap((k) => [k.getField, k.listField, ...['create', 'update', 'patch', 'delete', 'scale', 'bind'].map((v) => `${v}${k.kind}`), `update${k.kind}Status`]);
    const named = new RegExp(`[\\s{:]\\s*(${fields.join('|')})\\s*\\(|\\bwatch\\s*\\(\\s*kind:`);
    // Or put together from a registry entry: `${kind.listField}(`, `patch${kind.kind}(`.
    const assembled = /\$\{\s*\w+\.(getField|listField)\s*\}\s*\(|(create|update|patch|delete|scale|bind)\$\{\s*\w+\.kind\s*\}/;
    const violations = ['controllers', 'scheduler', 'agent', 'cli', 'components']
      .flatMap((d) => tree(`server/${d}`))
      .flatMap((f) => {
        const text = readFileSync(f, 'utf8');
        // GraphQL documents: literals that start an operation.
        const documents = [...text.matchAll(/[`'"]\s*(query|mutation|subscription)\b[^`]*[`'"]/g)].map((m) => m[0]);
        const found = documents.filter((d) => named.test(d)).map((d) => d.slice(0, 80));
        // Template pieces nest (`${list.map((k) => `${k.listField}(...)`)}`): looked for in the whole text.
        const pieces = text.split('\n').filter((line) => assembled.test(line)).map((line) => line.trim().slice(0, 80));
        return [...found, ...pieces].map((d) => `${relative(root, f)}: ${d}`);
      });
    expect(violations).toEqual([]);
  });
});

describe('public APIs only', () => {
  it("nothing reads a private field of a dependency (underscore members, or yoga's and @whatwg-node's internals)", () => {
    // The internals the HTTP path once read, and any `_member` (a library's private convention).
    const internals = /\.\s*_[A-Za-z]\w*|\[\s*['"]_[A-Za-z]\w*['"]\s*\]|\b(onRequestParseHooks|onResultProcessHooks|onRequestHooks|maskedErrorsOpts|getResultForParams|handleParams|headersInit|bodyInit|bodyType|_setCookies)\b/;
    const violations = ['server', 'bench']
      .flatMap(tree)
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .map((line, i) => [line, i] as const)
          .filter(([line]) => !/^\s*(\/\/|\*|\/\*)/.test(line) && internals.test(line))
          .map(([line, i]) => `${relative(root, f)}:${i + 1}: ${line.trim().slice(0, 100)}`),
      );
    expect(violations).toEqual([]);
  });
});
