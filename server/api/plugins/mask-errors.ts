/**
 * Error masking: our coded errors (KubeqlError) reach the client with their `extensions.code`;
 * GraphQL's own errors (parse, validation, coercion) pass as they are; anything else is an
 * internal error, logged here and masked for the client.
 */
import { GraphQLError } from 'graphql';
import { createLogger } from '../../components/logger.js';
import { KubeqlError } from '../../errors.js';

const log = createLogger('api');

/** Internal errors already logged with their request's context (by the request log plugin). */
const reported = new WeakSet<object>();

/** Marks an internal error as logged, so that masking it does not log it again. */
export function markReported(error: unknown): void {
  if (error && typeof error === 'object') reported.add(error);
}

export function maskError(error: unknown, message: string): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  if (original instanceof KubeqlError) {
    const at = error instanceof GraphQLError ? error : undefined;
    return new GraphQLError(original.message, { nodes: at?.nodes, path: at?.path, extensions: original.extensions });
  }
  if (error instanceof GraphQLError && (!error.originalError || error.originalError instanceof GraphQLError)) {
    // GraphQL's own input errors (a variable of the wrong type, a null for a non-null argument) carry no
    // code; they are the client's input, before any field ran (no path): say so.
    if (error.extensions?.code === undefined && error.path === undefined)
      return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...error.extensions, code: 'BAD_USER_INPUT' } });
    return error;
  }
  if (!(original && typeof original === 'object' && reported.has(original))) log.error({ err: original }, 'internal error');
  return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}

const isCoded = (e: unknown) => e instanceof KubeqlError || (e instanceof GraphQLError && e.originalError instanceof KubeqlError);

/** yoga's arguments as one pino line: the first error as `err`, the strings as the message. */
function line(args: unknown[]): [Record<string, unknown>, string] {
  const err = args.find((a) => a instanceof Error);
  const rest = args.filter((a) => a !== err).map((a) => (typeof a === 'string' ? a : JSON.stringify(a)));
  return [err ? { err } : {}, rest.join(' ') || (err as Error | undefined)?.message || ''];
}

/** yoga's logger, on the API server's logger, without the lines it writes for every coded error a client provoked. */
export const quietLogger = {
  debug: (...args: unknown[]) => log.trace(...line(args)),
  info: (...args: unknown[]) => log.info(...line(args)),
  warn: (...args: unknown[]) => log.warn(...line(args)),
  error: (...args: unknown[]) => {
    if (!args.some(isCoded)) log.error(...line(args));
  },
};
