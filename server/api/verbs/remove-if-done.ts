/** A deleting object goes for good once its finalizers are gone and its kind no longer holds it. */
import type { KObject, KindDef } from '../../resources/kind.js';

export function canRemove(kind: KindDef, object: KObject): boolean {
  return (object.metadata.finalizers?.length ?? 0) === 0 && !kind.holdsDeletion?.(object);
}
