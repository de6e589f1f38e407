/**
 * Informer transforms (client-go's SetTransform) that components set for what they never read. A
 * transformed object is a fresh object: the one given is left as it was.
 */
import type { KObject } from '../resources/kind.js';

/**
 * Only `apiVersion`, `kind` and `metadata`, as Kubernetes' metadata informers (PartialObjectMetadata)
 * give the garbage collector and the namespace controller: for objects whose body nobody reads.
 */
export function metadataOnly(object: KObject): KObject {
  return { apiVersion: object.apiVersion, kind: object.kind, metadata: object.metadata };
}
