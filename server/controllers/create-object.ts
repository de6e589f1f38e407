/** create<Kind> through the client with an optional requestId (a retry with the same id answers the first result); answers the manifest. */
import type { KubeqlClient } from '../client/client.js';
import { ClientError } from '../client/client-error.js';
import { kindByName } from '../resources/registry.js';
import type { KObject } from '../resources/kind.js';

export async function createObject(client: KubeqlClient, kindName: string, input: Record<string, unknown>, requestId?: string): Promise<KObject> {
  const kind = kindByName(kindName);
  if (!kind) throw new Error(`unknown kind ${kindName}`);
  const query = `mutation($input: ${kind.kind}Input!, $requestId: String) { result: create${kind.kind}(input: $input, requestId: $requestId) { manifest } }`;
  const data = await client.request(query, { input, requestId });
  return data.result.manifest;
}

/** Whether an error is the API server's answer with `code` (CONFLICT, ALREADY_EXISTS, UNAVAILABLE, ...). */
export const hasCode = (error: unknown, code: string): boolean => error instanceof ClientError && error.code === code;
