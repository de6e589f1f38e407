/** create<Kind> through the object client with an optional requestId (a retry with the same id answers the first result). */
import type { KubeqlClient } from '../client/client.js';
import { objectClientOf, type NewObject, type ObjectClient } from '../client/object-client.js';
import type { KindName, ObjectOf } from '../resources/objects.js';

export { hasCode } from '../client/object-client.js';

export function createObject<K extends KindName>(client: KubeqlClient | ObjectClient, kind: K, input: NewObject<K>, requestId?: string): Promise<ObjectOf<K>> {
  return objectClientOf(client).create(kind, input, { requestId });
}
