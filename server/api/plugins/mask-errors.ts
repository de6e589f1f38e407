/**
 * Error masking: our coded errors (KubeqlError) reach the client with their `extensions.code`;
 * GraphQL's own errors (parse, validation, coercion) pass as they are; anything else is an
 * internal error, logged here and masked for the client.
 */
import { GraphQLError } from 'graphql';
import { createLogger } from '../../logging/logger.js';
import { KubeqlError } from '../../errors.js';
import { isInternal } from '../metrics/error-code.js';

const log = createLogger('api');

/** Internal errors already logged (by the request log plugin, with the request's context, or by maskError). */
const reported = new WeakSet<object>();

/** The error under any GraphQLError wrappers (graphql and yoga may each wrap it once). */
export function rootCause(error: unknown): unknown {
  while (error instanceof GraphQLError && error.originalError) error = error.originalError;
  return error;
}

/** Marks an internal error (as a result carries it, and its cause) as logged, so that masking it does not log it again. */
export function markReported(error: unknown): void {
  for (const e of [error, rootCause(error)]) if (e && typeof e === 'object') reported.add(e);
}

const isReported = (error: unknown) => [error, rootCause(error)].some((e) => e && typeof e === 'object' && reported.has(e));

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
  if (!isReported(error)) {
    log.error({ err: rootCause(original) }, 'internal error');
    markReported(error);
  }
  return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}

/** An error a client provoked (coded, or GraphQL's own input errors): an answer, not a fault. */
const isClientError = (e: unknown) => e instanceof Error && !isInternal(e);

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
    // Coded errors are answers; internal ones were logged already (request log plugin or maskError).
    if (!args.some((a) => isClientError(a) || isReported(a))) log.error(...line(args));
  },
};
