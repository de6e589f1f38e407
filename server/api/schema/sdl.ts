/**
 * The API's SDL: the schema modules' SDL merged into one canonical document. The committed
 * schema/kubeql.graphql is this output; a test fails when they drift.
 */
import { buildSchema, printSchema } from 'graphql';
import type { KindDef } from '../../resources/kind.js';
import type { SchemaModule } from './module.js';

const HEADER = '# Generated from the registry of kinds (server/resources/registry.ts) by `npm run schema`. Do not edit.\n\n';

export function generateSDL(kinds: readonly KindDef[], modules: readonly SchemaModule[]): string {
  const merged = buildSchema(modules.map((m) => m.typeDefs(kinds)).join('\n\n'));
  return HEADER + printSchema(merged) + '\n';
}
