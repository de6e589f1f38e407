/**
 * yoga's handling of an error thrown around execution — bad request parameters, a hook's refusal —
 * (graphql-yoga 5 `handleError`, which the package does not export), for yoga-handle.ts: masked
 * with the server's maskError and turned into the response's GraphQL errors exactly as yoga does.
 */
import { GraphQLError } from 'graphql';
import { createGraphQLError, type YogaLogger } from 'graphql-yoga';

export interface MaskedErrorsOptions {
  errorMessage: string;
  isDev?: boolean;
  maskError: (error: unknown, message: string, isDev?: boolean) => Error;
}

const isAbortError = (error: unknown): boolean =>
  typeof error === 'object' &&
  error?.constructor?.name === 'DOMException' &&
  ((error as Error).name === 'AbortError' || (error as Error).name === 'TimeoutError');

/** A fresh object each time: GraphQLError keeps the one it is given, and hooks may change it. */
const internal = () => ({ code: 'INTERNAL_SERVER_ERROR', unexpected: true });

export function handleYogaError(error: unknown, masked: MaskedErrorsOptions | null, logger: YogaLogger): GraphQLError[] {
  const errors = new Set<GraphQLError>();
  if (error != null && typeof error === 'object' && 'errors' in error) {
    for (const single of (error as { errors: Iterable<unknown> }).errors) for (const e of handleYogaError(single, masked, logger)) errors.add(e);
  } else if (isAbortError(error)) {
    logger.debug('Request aborted');
  } else if (masked) {
    const maskedError = masked.maskError(error, masked.errorMessage, masked.isDev);
    if (maskedError !== error) logger.error(error);
    errors.add(maskedError instanceof GraphQLError ? maskedError : createGraphQLError(maskedError.message, { originalError: maskedError }));
  } else if (error instanceof GraphQLError) {
    errors.add(error);
  } else if (error instanceof Error) {
    errors.add(createGraphQLError(error.message, { originalError: error }));
  } else if (typeof error === 'string') {
    errors.add(createGraphQLError(error, { extensions: internal() }));
  } else if (error != null && typeof (error as { toString?: unknown }).toString === 'function') {
    errors.add(createGraphQLError((error as { toString(): string }).toString(), { extensions: internal() }));
  } else {
    logger.error(error);
    errors.add(createGraphQLError('Unexpected error.', { extensions: { unexpected: true } }));
  }
  return [...errors];
}
