/**
 * Observes `kubeql_request_duration_seconds{verb,kind,code}` for every GraphQL operation, over HTTP
 * and WebSocket alike (an envelop plugin): timed from parse to the end of execution; for a
 * subscription, to its source stream being set up (a watch's start, or its error). Documents that
 * fail to parse or validate count with their code.
 */
import { OperationTypeNode, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { KindDef } from '../../resources/kind.js';
import type { ApiMetrics } from '../metrics/api-metrics.js';
import { errorCode } from '../metrics/error-code.js';
import { createOperationLabeler } from '../metrics/operation-labels.js';

export function requestMetricsPlugin(metrics: ApiMetrics, kinds: readonly KindDef[]): Plugin {
  const labeler = createOperationLabeler(kinds);
  /** When each request's processing started, by its context object (the same from parse to execute). */
  const started = new WeakMap<object, number>();
  const instrumented = new WeakSet<GraphQLSchema>();
  const seconds = (context: object) => (performance.now() - (started.get(context) ?? performance.now())) / 1000;

  /** Wraps each Subscription field's `subscribe`: a subscription is observed when its stream is set up. */
  function instrument(schema: GraphQLSchema): void {
    if (instrumented.has(schema)) return;
    instrumented.add(schema);
    for (const field of Object.values(schema.getSubscriptionType()?.getFields() ?? {})) {
      const subscribe = field.subscribe;
      if (!subscribe) continue;
      const wrapped: GraphQLFieldResolver<unknown, any> = (source, args: Record<string, unknown>, context: object, info) => {
        const observe = (error?: unknown) =>
          metrics.request({ ...labeler.fieldLabels(schema, OperationTypeNode.SUBSCRIPTION, info.fieldName, (a) => args[a]), code: error ? errorCode(error) : 'OK' }, seconds(context));
        let result: unknown;
        try {
          result = subscribe(source, args, context, info);
        } catch (error) {
          observe(error);
          throw error;
        }
        if (!(result instanceof Promise)) {
          observe();
          return result;
        }
        return result.then(
          (value) => (observe(), value),
          (error) => {
            observe(error);
            throw error;
          },
        );
      };
      field.subscribe = wrapped;
    }
  }

  return {
    onSchemaChange({ schema }) {
      instrument(schema);
    },
    onParse({ context }) {
      started.set(context, performance.now());
      return ({ result, context: ctx }) => {
        if (result instanceof Error) metrics.request({ verb: 'unknown', kind: '', code: 'GRAPHQL_PARSE_FAILED' }, seconds(ctx));
      };
    },
    onValidate({ context, params }) {
      return ({ valid }) => {
        if (valid) return;
        const { verb, kind } = labeler.labels(params.schema, params.documentAST, (context as { params?: { operationName?: string } }).params?.operationName);
        metrics.request({ verb, kind, code: 'GRAPHQL_VALIDATION_FAILED' }, seconds(context));
      };
    },
    onExecute({ args }) {
      const context = args.contextValue as object;
      const { verb, kind } = labeler.labels(args.schema, args.document, args.operationName, args.variableValues);
      return {
        onExecuteDone({ result }) {
          if (Symbol.asyncIterator in result) return; // incremental delivery: not used by this API
          const code = result.errors?.length ? errorCode(result.errors[0]) : 'OK';
          metrics.request({ verb, kind, code }, seconds(context));
        },
      };
    },
  };
}
