/**
 * Request logs: each mutation at debug (verb, kind, code, duration), each internal error at error,
 * both with the request's id (its `requestId` argument) and actor; HTTP and WebSocket alike.
 */
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../../logging/logger.js';
import type { KindDef } from '../../resources/kind.js';
import type { ApiContext } from '../context.js';
import { errorCode, isInternal } from '../metrics/error-code.js';
import { createOperationLabeler } from '../metrics/operation-labels.js';
import { markReported, rootCause } from './mask-errors.js';

export function requestLogPlugin(log: Logger, kinds: readonly KindDef[]): Plugin {
  const labeler = createOperationLabeler(kinds);
  return {
    onExecute({ args }) {
      const started = performance.now();
      return {
        onExecuteDone({ result }) {
          if (Symbol.asyncIterator in result) return;
          const internal = result.errors?.filter(isInternal) ?? [];
          const isMutation = getOperationAST(args.document, args.operationName)?.operation === 'mutation';
          if (internal.length === 0 && !(isMutation && log.isLevelEnabled('debug'))) return;
          const op = labeler.labels(args.schema, args.document, args.operationName, args.variableValues);
          const requestId = op.argument('requestId');
          const fields = {
            requestId: typeof requestId === 'string' ? requestId : undefined,
            actor: (args.contextValue as Partial<ApiContext>).actor,
            operation: op.field,
            verb: op.verb,
            kind: op.kind || undefined,
          };
          for (const error of internal) {
            markReported(error);
            log.error({ ...fields, err: rootCause(error), path: error.path?.join('.') }, 'internal error');
          }
          if (op.operation === 'mutation')
            log.debug({ ...fields, code: result.errors?.length ? errorCode(result.errors[0]) : 'OK', ms: Math.round((performance.now() - started) * 100) / 100 }, 'mutation');
        },
      };
    },
  };
}
