/** The executable schema: the generated SDL with the generated resolvers. */
import { createSchema } from 'graphql-yoga';
import type { KindDef } from '../../resources/kind.js';
import type { ApiContext } from '../context.js';
import { buildResolvers } from './resolvers.js';
import { generateSDL } from './sdl.js';

export function buildSchema(kinds: readonly KindDef[]) {
  return createSchema<ApiContext>({ typeDefs: generateSDL(kinds), resolvers: buildResolvers(kinds) });
}
