/** The code an error answers with (`extensions.code`), before or after masking: what metrics and logs label it by. */
import { GraphQLError } from 'graphql';
import { KubeqlError } from '../../errors.js';

export function errorCode(error: unknown): string {
  if (error instanceof KubeqlError) return error.code;
  if (error instanceof GraphQLError) {
    const code = error.extensions?.code;
    if (typeof code === 'string') return code;
    if (error.originalError instanceof KubeqlError) return error.originalError.code;
    // graphql's own request errors (variable coercion) carry no original error: the client's input.
    return error.originalError && !(error.originalError instanceof GraphQLError) ? 'INTERNAL_SERVER_ERROR' : 'BAD_USER_INPUT';
  }
  return 'INTERNAL_SERVER_ERROR';
}

/** True for an error no client code explains: a fault of the server, masked for the client and logged. */
export const isInternal = (error: unknown) => errorCode(error) === 'INTERNAL_SERVER_ERROR';
