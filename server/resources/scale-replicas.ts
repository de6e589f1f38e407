/** The replica count of a scalable object, read where its kind's scale subresource says it is (`spec.replicas`). */
import type { KObject, KindDef } from './kind.js';
import { isPlainObject } from './plain-object.js';

/** The count at the kind's replicasPath; undefined when the kind has no scale subresource or the field is unset. */
export function replicasOf(kind: KindDef, object: KObject): number | undefined {
  if (!kind.scale) return undefined;
  let value: unknown = object;
  for (const part of kind.scale.replicasPath.split('.')) value = isPlainObject(value) ? value[part] : undefined;
  return typeof value === 'number' ? value : undefined;
}
