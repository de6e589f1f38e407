/** The executable schema: the modules' merged SDL with their merged resolvers. */
import { createSchema } from 'graphql-yoga';
import type { KindDef } from '../../resources/kind.js';
import type { ApiContext } from '../context.js';
import type { ResolverMap, SchemaModule } from './module.js';
import { generateSDL } from './sdl.js';
import { shareDocumentCommits } from './shared-commit.js';

function mergeResolvers(maps: ResolverMap[]): ResolverMap {
  const merged: Record<string, unknown> = {};
  for (const map of maps)
    for (const [type, value] of Object.entries(map)) {
      const existing = merged[type];
      merged[type] = existing && typeof existing === 'object' && value && Object.getPrototypeOf(value) === Object.prototype ? { ...existing, ...value } : value;
    }
  return merged;
}

/**
 * Built schemas by registry and module list. A schema holds no per-server state (the store, watch
 * engine and identity come with each request's context), so every API server of a process (a test
 * run starts hundreds) shares one instead of spending a quarter of a second building its own.
 */
const built = new WeakMap<readonly KindDef[], WeakMap<readonly SchemaModule[], ReturnType<typeof build>>>();

export function buildSchema(kinds: readonly KindDef[], modules: readonly SchemaModule[]) {
  let byModules = built.get(kinds);
  if (!byModules) built.set(kinds, (byModules = new WeakMap()));
  let schema = byModules.get(modules);
  if (!schema) byModules.set(modules, (schema = build(kinds, modules)));
  return schema;
}

function build(kinds: readonly KindDef[], modules: readonly SchemaModule[]) {
  const schema = createSchema<ApiContext>({
    typeDefs: generateSDL(kinds, modules),
    resolvers: mergeResolvers(modules.map((m) => m.resolvers(kinds))) as Parameters<typeof createSchema<ApiContext>>[0]['resolvers'],
  });
  // Several single-write mutations in one document: one commit.
  shareDocumentCommits(schema);
  return schema;
}
