/**
 * Error masking: our coded errors (KubeqlError) reach the client with their `extensions.code`;
 * GraphQL's own errors (parse, validation, coercion) pass as they are; anything else is an
 * internal error, logged here and masked for the client.
 */
import { GraphQLError } from 'graphql';
import { KubeqlError } from '../../errors.js';

export function maskError(error: unknown, message: string): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof KubeqlError) {
    const at = error instanceof GraphQLError ? error : undefined;
    return new GraphQLError(original.message, { nodes: at?.nodes, path: at?.path, extensions: original.extensions });
  }
  if (error instanceof GraphQLError && (!error.originalError || error.originalError instanceof GraphQLError)) return error;
  console.error('internal error:', original);
  return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}

const isCoded = (e: unknown) => e instanceof KubeqlError || (e instanceof GraphQLError && e.originalError instanceof KubeqlError);

/** yoga's logger, without the lines it writes for every coded error a client provoked. */
export const quietLogger = {
  debug: () => {},
  info: () => {},
  warn: (...args: unknown[]) => console.warn(...args),
  error: (...args: unknown[]) => {
    if (!args.some(isCoded)) console.error(...args);
  },
};
