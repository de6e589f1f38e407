/**
 * Row-level reads: a list or watch in one namespace needs the verb there (FORBIDDEN otherwise); one
 * across namespaces answers with the namespaces the identity may read (undefined: all of them),
 * as GraphQL engines do it, rather than failing.
 */
import type { KindDef } from '../../resources/kind.js';
import { attributesFor } from './attributes.js';
import type { Guard } from './guard.js';

export function readableNamespaces(guard: Guard, kind: KindDef, verb: 'list' | 'watch', namespace: string | undefined): string[] | undefined {
  if (!kind.namespaced || namespace !== undefined) {
    guard.check(attributesFor(kind, verb, { namespace }));
    return undefined;
  }
  const scope = guard.namespaces(attributesFor(kind, verb));
  return scope === 'all' ? undefined : [...scope].sort();
}
