/**
 * One `subscribe` message of the graphql-transport-ws protocol: parsed, validated and run through
 * yoga's envelop pipeline (so its plugins apply on the WebSocket path too). A `watch` goes to the
 * watch engine in push mode with shared frames; any other subscription is executed per event;
 * queries and mutations answer once.
 */
import { createSourceEventStream, execute, getOperationAST, GraphQLError, isObjectType, type DocumentNode, type ExecutionResult } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { maskError } from '../plugins/mask-errors.js';
import { WatchStream } from '../watch/watch-stream.js';
import { manifestRenderer } from './manifest-frames.js';
import { nextFrame, nextHead, type SharedExecutions } from './shared-frames.js';
import type { OutboxTicket } from './outbox.js';
import type { KubeqlError } from '../../errors.js';
import type { Guard } from '../auth/guard.js';
import type { WatchPayload } from '../watch/transition.js';
import { sharingScope } from '../auth/sharing-scope.js';

export interface SubscriptionChannel {
  /**
   * Queue a frame: `body` whole, or after the ticket's head when `spliced` (a shared `next` frame);
   * a promise while it executes. False when the connection is full (wait for ticket.onDrain).
   */
  next(ticket: OutboxTicket, body: Buffer | Promise<Buffer>, spliced?: boolean): boolean;
  error(errors: readonly GraphQLError[]): void;
  complete(): void;
}

const withCode = (error: GraphQLError, code: string) =>
  error.extensions?.code ? error : new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...error.extensions, code } });

export function maskResult(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  return { ...result, errors: result.errors.map((e) => maskError(e, 'Unexpected error.') as GraphQLError) };
}

export async function runSubscription(
  yoga: YogaServerInstance<any, any>,
  initialContext: Record<string, unknown>,
  id: string,
  payload: SubscribePayload,
  channel: SubscriptionChannel,
  ticket: OutboxTicket,
  executions: SharedExecutions,
): Promise<(() => void) | undefined> {
  const env = yoga.getEnveloped({ ...initialContext, params: payload });
  let document: DocumentNode;
  try {
    document = env.parse(payload.query);
  } catch (e) {
    channel.error([withCode(e instanceof GraphQLError ? e : new GraphQLError(String(e)), 'GRAPHQL_PARSE_FAILED')]);
    return undefined;
  }
  let errors: readonly GraphQLError[];
  try {
    errors = env.validate(env.schema, document);
  } catch (e) {
    // Limit rules (GraphQL Armor) throw their error rather than report it.
    if (!(e instanceof GraphQLError)) throw e;
    errors = [e];
  }
  if (errors.length) {
    channel.error(errors.map((e: GraphQLError) => withCode(e, 'GRAPHQL_VALIDATION_FAILED')));
    return undefined;
  }
  const operation = getOperationAST(document, payload.operationName);
  if (!operation) {
    channel.error([new GraphQLError('Could not identify the operation to run', { extensions: { code: 'BAD_USER_INPUT' } })]);
    return undefined;
  }
  let contextValue: Record<string, unknown>;
  try {
    // Authenticates again (a token revoked or expired since connection_init starts nothing new) and rate-limits.
    contextValue = await env.contextFactory();
  } catch (error) {
    channel.error([maskError(error instanceof GraphQLError ? error : new GraphQLError((error as Error).message, { originalError: error as Error }), 'Unexpected error.') as GraphQLError]);
    return undefined;
  }
  const args = { schema: env.schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
  const send = (result: ExecutionResult): boolean => channel.next(ticket, Buffer.from(nextFrame(id, JSON.stringify(maskResult(result)))));

  if (operation.operation !== 'subscription') {
    send((await env.execute(args)) as ExecutionResult);
    channel.complete();
    return undefined;
  }

  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) {
    channel.error(maskResult(source).errors!);
    return undefined;
  }

  if (source instanceof WatchStream) {
    // Shared only between subscribers whose authorization gives the same answer (identity, not just the document).
    const scope = (contextValue as { guard?: Guard }).guard;
    if (!scope) throw new Error('a watch subscription without an authorization guard');
    const execKey = `${sharingScope(scope)}\u0000${payload.operationName ?? ''}\u0000${payload.query}\u0000${JSON.stringify(payload.variables ?? null)}`;
    ticket.head = nextHead(id);
    // The informers' selection is built directly (manifest-frames.ts); any other is executed.
    const run =
      manifestRenderer(operation, (name) => isObjectType(env.schema.getType(name))) ??
      ((watchPayload: WatchPayload) => {
        // A fresh context per event: per-request caches (relation loaders) do not outlive it.
        const result = execute({ ...args, contextValue: { ...contextValue }, rootValue: { watch: watchPayload } });
        return result instanceof Promise ? result.then(maskResult) : maskResult(result);
      });
    const shared = executions.join(execKey);
    let handle;
    try {
      handle = source.start({
        // Falls behind (to catch up by cursor once the connection drains) when the connection is full.
        push: (watchPayload) => channel.next(ticket, shared.bodyFor(watchPayload, run), true),
        end(error: KubeqlError) {
          channel.error([maskError(new GraphQLError(error.message, { originalError: error }), 'Unexpected error.') as GraphQLError]);
        },
      });
    } catch (error) {
      shared.leave();
      throw error;
    }
    const started = handle;
    ticket.onDrain = () => started.resume();
    return () => {
      started.stop();
      shared.leave();
    };
  }

  // Any other subscription: the selection runs per event, as graphql's subscribe does.
  const iterator = source[Symbol.asyncIterator]();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await iterator.next();
        if (done || ticket.cancelled) break;
        // Backpressure: stop pulling while the connection is full; the source then holds its events
        // (bounded: the log subscription ends with SLOW_CONSUMER past its bound).
        if (!send((await execute({ ...args, rootValue: value })) as ExecutionResult) && !ticket.cancelled)
          await new Promise<void>((resolve) => (ticket.onDrain = resolve));
      }
      if (!ticket.cancelled) channel.complete();
    } catch (error) {
      if (!ticket.cancelled) channel.error([maskError(error, 'Unexpected error.') as GraphQLError]);
    }
  })();
  return () => void iterator.return?.();
}
