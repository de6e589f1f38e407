/** A whole object written over the stored one (`update<Kind>`), conditional on the resourceVersion it carries, as kubectl replace and edit do. */
import type { KubeqlClient } from '../client/client.js';
import { objectClientOf, type NewObject } from '../client/object-client.js';
import type { KObject, KindDef } from '../resources/kind.js';
import type { KindName } from '../resources/objects.js';

export async function replaceObject(client: KubeqlClient, kind: KindDef, input: Record<string, unknown>): Promise<KObject> {
  // A manifest from a file or an editor: the API validates it against the kind's shape.
  return objectClientOf(client).update(kind.kind as KindName, input as NewObject<KindName>);
}
