/**
 * A schema module: a slice of the API (objects, apply, relations, watch, ...) with its SDL and
 * resolvers, both generated from the registry of kinds. The schema is their union.
 */
import type { KindDef } from '../../resources/kind.js';

export type ResolverMap = Record<string, unknown>;

export interface SchemaModule {
  name: string;
  /** SDL; may `extend type Query`, `Mutation`, `Subscription` or a kind's type. */
  typeDefs(kinds: readonly KindDef[]): string;
  resolvers(kinds: readonly KindDef[]): ResolverMap;
}
