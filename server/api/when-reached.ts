/**
 * A read or watch at a revision the client has seen, on a server whose view of the log may still
 * be a moment behind it (several servers on one PostgreSQL log: the client failed over). It runs
 * once the store has reached the revision (Store.reach): at once, without a promise, in the common
 * case where it already has.
 */
import type { Store } from '../store/types.js';

export function whenReached<T>(store: Pick<Store, 'head' | 'reach'>, revision: number | null | undefined, run: () => T): T | Promise<T> {
  if (revision === null || revision === undefined || revision <= store.head()) return run();
  return store.reach(revision).then(run);
}
