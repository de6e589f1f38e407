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

/** The drizzle-kit configs at the repository's root, one per dialect (`drizzle.config.ts`, `drizzle.postgres.config.ts`, ...). */
const SQLITE_CONFIG = /^drizzle(\.sqlite)?\.config\.[cm]?[jt]s$/;
const POSTGRES_CONFIG = /^drizzle\.(pg|postgres|postgresql)\.config\.[cm]?[jt]s$/;

/**
 * The code that runs the product: server/ (TypeScript and the plain .cjs/.mjs/.js workers), scripts/ and
 * the root configs. Tests and benchmarks may open the database to verify what the server wrote (DESIGN §7, Tests).
 */
function backendSources(): string[] {
  const sources = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? sources(p) : /\.([cm]?[jt]s)$/.test(p) && !p.endsWith('.d.ts') ? [p] : [];
    });
  const roots = readdirSync(root).filter((f) => /\.config\.[cm]?[jt]s$/.test(f)).map((f) => join(root, f));
  return [...sources(join(root, 'server')), ...sources(join(root, 'scripts')), ...roots];
}

const SQLITE_MODULE = /^(better-sqlite3|drizzle-orm\/(better-sqlite3|sqlite-core|sqlite-proxy|libsql|bun-sqlite|d1|expo-sqlite|op-sqlite|durable-sqlite)(\/.*)?)$/;
const POSTGRES_MODULE = /^(pg|postgres|drizzle-orm\/(node-postgres|pg-core|pg-proxy|postgres-js|neon-http|neon-serverless|pglite|vercel-postgres|xata-http|aws-data-api\/pg)(\/.*)?)$/;

/** The database-driver modules a text imports (static, dynamic or require), each with the backend it belongs to. */
type DriverImport = { specifier: string; backend: 'sqlite' | 'postgres' };
function driverImports(text: string): DriverImport[] {
  const specs = [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\s+['"]([^'"]+)['"]|(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
  return specs.flatMap((specifier): DriverImport[] =>
    SQLITE_MODULE.test(specifier) ? [{ specifier, backend: 'sqlite' }] : POSTGRES_MODULE.test(specifier) ? [{ specifier, backend: 'postgres' }] : [],
  );
}

describe('layers and dependencies', () => {
  it('the server side (api, store, resources, client) never imports server/components, which runs the processes above it (a process entry point, main.ts, may)', () => {
    const components = join(root, 'server/components');
    const violations = ['api', 'store', 'resources', 'client', 'logging']
      .flatMap((d) => tree(`server/${d}`))
      .filter((f) => !f.endsWith('/main.ts'))
      .flatMap((f) => imports(f).filter((i) => i.startsWith(components + '/')).map((i) => `${relative(root, f)} → ${relative(root, i)}`));
    expect(violations).toEqual([]);
  });

  it('no file outside server/store (and its own tests, test/store) imports drizzle', () => {
    const store = join(root, 'server/store') + '/';
    // A store test may compare the store's statements with drizzle's own (direct-statement.test.ts).
    const storeTests = join(root, 'test/store') + '/';
    const violations = ['server', 'test', 'bench']
      .flatMap(tree)
      .filter((f) => !f.startsWith(store) && !f.startsWith(storeTests))
      .filter((f) => specifiers(f).some((s) => s === 'drizzle-orm' || s.startsWith('drizzle-orm/')))
      .map((f) => relative(root, f));
    expect(violations).toEqual([]);
  });

  it('each database driver stays in its backend: better-sqlite3 and drizzle\'s SQLite modules only under server/store/sqlite/, pg and drizzle\'s PostgreSQL modules only under server/store/postgres/', () => {
    const violations = backendSources().flatMap((f) => {
      const rel = relative(root, f);
      return driverImports(readFileSync(f, 'utf8'))
        .filter(({ backend }) => !rel.startsWith(`server/store/${backend}/`) && !(backend === 'sqlite' ? SQLITE_CONFIG : POSTGRES_CONFIG).test(rel))
        .map(({ specifier }) => `${rel} → ${specifier}`);
    });
    expect(violations).toEqual([]);
  });

  it('the driver rule sees what it must (so that it cannot pass by seeing nothing)', () => {
    // The SQLite backend is where the rule says it is, and the matcher finds its imports there.
    const sqlite = backendSources().filter((f) => driverImports(readFileSync(f, 'utf8')).some((i) => i.backend === 'sqlite'));
    expect(sqlite.length).toBeGreaterThan(0);
    expect(sqlite.map((f) => relative(root, f)).every((f) => f.startsWith('server/store/sqlite/') || SQLITE_CONFIG.test(f))).toBe(true);
    // Every way the PostgreSQL backend may spell its imports is recognised before it exists.
    // (Put together from module names, so that this file's own text imports nothing.)
    const from = (m: string, q = "'") => `import x from ${q}${m}${q};`;
    const samples = [
      from('pg'),
      from('pg', '"'),
      `import type { PoolClient } from '${'pg'}';`,
      from('drizzle-orm/node-postgres'),
      `import { pgTable, bigint } from '${'drizzle-orm/pg-core'}';`,
      from('drizzle-orm/node-postgres/migrator'),
      from('postgres'),
      `const { Client } = require('${'pg'}');`,
      `const pg = await import('${'pg'}');`,
    ];
    expect(samples.map((s) => driverImports(s).map((i) => i.backend))).toEqual(samples.map(() => ['postgres']));
    expect(driverImports(from('better-sqlite3') + from('drizzle-orm/sqlite-core')).map((i) => i.backend)).toEqual(['sqlite', 'sqlite']);
    // Names that only begin alike are not drivers.
    expect(driverImports(from('pg-format') + from('drizzle-orm') + from('./pg.js'))).toEqual([]);
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

/** Code lines of a text: comment lines (`//`, `/*`, ` * `) dropped, so documentation may name operations. */
const codeLines = (text: string) => text.split('\n').map((line, i) => [line, i + 1] as const).filter(([line]) => !/^\s*(\/\/|\/\*|\*)/.test(line));

/**
 * GraphQL put together by hand: a call of the transport's `request` (only the client's modules
 * speak GraphQL), or a string literal that starts a document (`query`, `mutation`, `subscription`,
 * or a shorthand query `{ field ...`).
 */
const HAND_WRITTEN = [/\.request\s*(<[^>]*>)?\s*\(/, /[`'"]\s*(query|mutation|subscription)\b\s*[\w$({]/, /[`'"]\s*\{\s*[A-Za-z_]\w*\s*[({}:]/];
const handWritten = (text: string) => codeLines(text).filter(([line]) => HAND_WRITTEN.some((r) => r.test(line)));

describe('no component builds GraphQL by hand', () => {
  it('controllers, scheduler, agents, kq and the process starters speak GraphQL only through server/client (objects, apply, audit log, history, tokens, replay, the log head)', () => {
    const violations = ['controllers', 'scheduler', 'agent', 'cli', 'components']
      .flatMap((d) => tree(`server/${d}`))
      .flatMap((f) => handWritten(readFileSync(f, 'utf8')).map(([line, n]) => `${relative(root, f)}:${n}: ${line.trim().slice(0, 100)}`));
    expect(violations).toEqual([]);
  });

  it('the rule sees every form the hand-written documents took (so that it cannot pass by seeing nothing)', () => {
    const forms = [
      'const data = await client.request(`mutation($manifests: String!, $dryRun: Boolean) { apply(manifests: $manifests, dryRun: $dryRun) { revision } }`, { manifests });',
      '    const query = `query($filter: AuditFilter, $first: Int, $after: String) {',
      '    const query = `query($kind: Kind!, $namespace: String, $name: String!, $after: String) {',
      '    const data = await client.request(`mutation {',
      '      const data = await client.request(`mutation {\\n${fields}\\n}`);',
      "    const { revision } = await ctx.client().request('{ revision }');",
      '  const { __schema } = await client.request(`{ __schema { mutationType { fields { name } } } }`);',
      '      ({ replay: result } = await client.request(`mutation { replay${args} ${shape.selection} }`));',
      "  return graphql.subscribe('subscription { log(fromRevision: 3) { revision } }');",
      "  const doc = 'query { auditLog { edges { node { revision } } } }';",
      '  const data = await transport.request<{ apply: ApplyResult }>(APPLY, vars);',
    ];
    expect(forms.filter((f) => handWritten(f).length === 0)).toEqual([]);
    // Documentation and ordinary strings are not documents.
    const prose = [
      ' * follows the object through the `watch` subscription until its rollout is done',
      '/** `kq apply -f`: every document of the files in one `apply` mutation (all or nothing) */',
      "  const template = '{.metadata.name}';",
      "  throw new CliError(`query \"${name}\" is not a kind`);",
      '  ctx.stdout.write(`{}\\n`);',
    ];
    expect(prose.filter((p) => handWritten(p).length > 0)).toEqual([]);
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
