import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The API server's entry point imports production-mode first: graphql-js then loads in production
 * mode (no search for a second copy of itself behind each failed instanceof), unless NODE_ENV was set.
 */
const root = resolve(import.meta.dirname, '../..');

/** NODE_ENV and graphql's mode, as a process whose first import is server/api/main.ts's first import sees them. */
function modeAfterImport(nodeEnv: string | undefined): { nodeEnv: string; realmCheck: boolean } {
  const env = { ...process.env };
  delete env.NODE_ENV;
  if (nodeEnv !== undefined) env.NODE_ENV = nodeEnv;
  const script = `
    await import('./server/api/production-mode.ts');
    const { GraphQLObjectType, isObjectType } = await import('graphql');
    // Outside production, graphql throws on an object that merely looks like one of its types (its realm check).
    const lookalike = { [Symbol.toStringTag]: 'GraphQLObjectType' };
    let realmCheck = false;
    try { isObjectType(lookalike); } catch { realmCheck = true; }
    console.log(JSON.stringify({ nodeEnv: process.env.NODE_ENV, realmCheck, ok: typeof GraphQLObjectType }));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  const { nodeEnv: seen, realmCheck } = JSON.parse(r.stdout.trim().split('\n').pop()!);
  return { nodeEnv: seen, realmCheck };
}

describe('production mode of the API server process', () => {
  it('is the first import of the API server\'s entry point and of the benchmarks\' server', () => {
    const firstImport = (file: string) => /^import\s[^;]*?['"]([^'"]+)['"]/m.exec(readFileSync(resolve(root, file), 'utf8'))?.[1];
    expect(firstImport('server/api/main.ts')).toBe('./production-mode.js');
    expect(firstImport('bench/serve.ts')).toBe('../server/api/production-mode.js');
  });

  it('is production when NODE_ENV is not set: graphql skips its development-only checks', () => {
    expect(modeAfterImport(undefined)).toEqual({ nodeEnv: 'production', realmCheck: false });
  }, 90_000);

  it('keeps a NODE_ENV that was set (development keeps graphql\'s checks)', () => {
    expect(modeAfterImport('development')).toEqual({ nodeEnv: 'development', realmCheck: true });
  }, 90_000);
});
