/** The objects module's resolvers, built from the registry of kinds like its SDL. */
import type { KObject, KindDef } from '../../../resources/kind.js';
import type { ApiContext } from '../../context.js';
import { readResolvers } from './read-resolvers.js';
import { DateTimeScalar, JSONScalar, RevisionScalar } from '../scalars.js';
import { writeResolvers } from './write-resolvers.js';

export function objectsResolvers(kinds: readonly KindDef[]) {
  const typeResolvers = Object.fromEntries(kinds.map((k) => [k.kind, { manifest: (o: KObject) => o }]));
  return {
    Revision: RevisionScalar,
    DateTime: DateTimeScalar,
    JSON: JSONScalar,
    Resource: { __resolveType: (o: KObject) => o.kind },
    ...typeResolvers,
    Query: Object.assign({ revision: (_: unknown, __: unknown, ctx: ApiContext) => ctx.store.head() }, ...kinds.map(readResolvers)),
    Mutation: Object.assign({}, ...kinds.map(writeResolvers)),
  };
}
