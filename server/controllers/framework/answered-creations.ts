/**
 * The objects a controller's creates were answered with that its informer has not observed yet.
 * Kubernetes' expectations make a controller wait for its informer to observe every create of a
 * round before the next round: a full watch round trip per round. A create the server answered is
 * known, though, and the informer's revision says exactly which answers it has seen: an object
 * whose resourceVersion is above the informer's revision is not in its cache, one at or below it
 * is (or was observed and has gone since). A sync that counts the cache plus the answers above the
 * revision it read the cache at sees every object it made, so it may act again at once without
 * ever counting one twice or missing one.
 */
import type { KObject } from '../../resources/kind.js';

export class AnsweredCreations<T extends KObject> {
  /** owner key → object key → the object as its create answered it */
  private readonly byOwner = new Map<string, Map<string, T>>();

  /** A create for `owner` was answered with `object`. */
  add(owner: string, object: T): void {
    let objects = this.byOwner.get(owner);
    if (!objects) this.byOwner.set(owner, (objects = new Map()));
    objects.set(`${object.metadata.namespace ?? ''}/${object.metadata.name}`, object);
  }

  /**
   * The objects made for `owner` that an informer at `revision` has not observed (read `revision`
   * together with the cache, in one turn of the event loop); forgets those it has.
   */
  unobserved(owner: string, revision: number): T[] {
    const objects = this.byOwner.get(owner);
    if (!objects) return [];
    const out: T[] = [];
    for (const [key, o] of objects) {
      if (Number(o.metadata.resourceVersion) > revision) out.push(o);
      else objects.delete(key);
    }
    if (objects.size === 0) this.byOwner.delete(owner);
    return out;
  }

  /** The owner went away. */
  delete(owner: string): void {
    this.byOwner.delete(owner);
  }
}
