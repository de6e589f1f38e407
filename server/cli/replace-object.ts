/** A whole object written over the stored one (`update<Kind>`), conditional on the resourceVersion it carries, as kubectl replace and edit do. */
import type { KubeqlClient } from '../client/client.js';
import type { KObject, KindDef } from '../resources/kind.js';

export async function replaceObject(client: KubeqlClient, kind: KindDef, input: Record<string, unknown>): Promise<KObject> {
  const data = await client.request(`mutation($input: ${kind.kind}Input!) { object: update${kind.kind}(input: $input) { manifest } }`, { input });
  return data.object.manifest;
}
