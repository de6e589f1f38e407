/** kubectl's NotFound for a named object (`deployments.apps "shop" not found`), as the API would answer it. */
import { ClientError } from '../client/client-error.js';
import type { KindDef } from '../resources/kind.js';
import { qualifiedResource } from './kinds.js';

export function notFound(kind: KindDef, name: string): ClientError {
  return new ClientError([{ message: `${qualifiedResource(kind)} "${name}" not found`, extensions: { code: 'NOT_FOUND' } }]);
}
