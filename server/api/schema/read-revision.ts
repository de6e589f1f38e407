/** The revision an object was read at, carried on the object itself so its relations read at the same revision. */
import type { KObject } from '../../resources/kind.js';

const READ_AT = Symbol('kubeql.readRevision');

/** Marks `object` as read at `revision` (a non-enumerable symbol: invisible to JSON and to `manifest`). */
export function tagRevision<T extends KObject>(object: T, revision: number): T {
  Object.defineProperty(object, READ_AT, { value: revision, enumerable: false, configurable: true });
  return object;
}

/** The revision `object` was read at; undefined for an untagged object (a mutation's result: read at the head). */
export function revisionOf(object: KObject): number | undefined {
  return (object as { [READ_AT]?: number })[READ_AT];
}
