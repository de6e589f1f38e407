/**
 * The WebSocket side of the API: the graphql-transport-ws protocol (graphql-ws's message types,
 * close codes and parser) on the same port and path as HTTP. Its own delivery, so that a watch's
 * frames can be shared among subscribers and held back when a client stops reading.
 */
import type { IncomingMessage, Server } from 'node:http';
import { CloseCode, GRAPHQL_TRANSPORT_WS_PROTOCOL, MessageType, handleProtocols, parseMessage, type SubscribePayload } from 'graphql-ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { createLogger } from '../../logging/logger.js';
import { createOutbox, type OutboxTicket } from './outbox.js';
import { createSharedExecutions } from './shared-frames.js';
import { runSubscription } from './subscription.js';

export interface WebSocketOptions {
  path: string;
  /** Ping interval; a client that misses a pong is dropped (default 12 s). */
  keepAliveMs?: number;
  /** Operations one connection may run at once (default 100). */
  maxSubscriptions?: number;
  /** A message larger than this closes the socket with 1009 (the request body limit). */
  maxPayloadBytes: number;
  /** Bytes one connection may have buffered (socket and queue) before a subscription pushing more is ended with SLOW_CONSUMER (default 16 MiB). */
  maxConnectionBytes?: number;
  /** Metrics: a subscription was ended with SLOW_CONSUMER. */
  onSlowConsumer?: () => void;
  /**
   * Metrics: a connection was dropped for a ping it left unanswered for a whole interval, with its
   * connection_init payload and whether the ping had left the server (written to the socket) by then.
   */
  onPingTimeout?: (initPayload: Record<string, unknown> | undefined, pingWritten: boolean) => void;
  /** A client must send connection_init within this time (default 3 s). */
  connectionInitTimeoutMs?: number;
  /**
   * Authentication: given the connection_init payload, returns what every operation of the
   * connection adds to its initial context (the identity), or false to refuse with 4403.
   */
  onConnect?: (payload: Record<string, unknown> | undefined, request: IncomingMessage) => Record<string, unknown> | false;
}

const log = createLogger('api');

export function attachGraphQLWebSocket(http: Server, yoga: YogaServerInstance<any, any>, options: WebSocketOptions) {
  const wss = new WebSocketServer({
    server: http,
    path: options.path,
    maxPayload: options.maxPayloadBytes,
    handleProtocols: (protocols) => handleProtocols(protocols),
  });
  // ws re-emits the HTTP server's errors here; the server's owner handles them there.
  wss.on('error', (error) => log.warn({ err: error }, 'WebSocket server error'));
  const keepAliveMs = options.keepAliveMs ?? 12_000;
  /** Each open connection's subscriptions, for the open-subscriptions gauge. */
  const open = new Set<Map<string, unknown>>();
  /** Watch executions shared among this server's subscriptions with the same key (document, variables, authorization scope). */
  const executions = createSharedExecutions();

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    // A malformed frame (reserved opcode or bits, unmasked, bad length, over maxPayload, invalid
    // UTF-8) is reported here; ws has already closed this socket with the frame's code (1002,
    // 1007, 1009). It ends this connection only.
    socket.on('error', (error: Error & { code?: string }) => log.debug({ code: error.code, message: error.message }, 'WebSocket protocol error: connection closed'));
    if (socket.protocol !== GRAPHQL_TRANSPORT_WS_PROTOCOL) return socket.close(CloseCode.SubprotocolNotAcceptable, 'Subprotocol not acceptable');
    // request.socket is the TCP socket ws writes this connection's frames to; the outbox writes its batches of frames there too.
    const outbox = createOutbox(socket, options.maxConnectionBytes, request.socket);
    const subscriptions = new Map<string, { ticket: OutboxTicket; stop?: () => void }>();
    open.add(subscriptions);
    let initReceived = false;
    let acknowledged = false;
    let initPayload: Record<string, unknown> | undefined;
    let connectionContext: Record<string, unknown> = {};
    let alive = true;

    // Judged after this turn's I/O (setImmediate runs after the poll phase): when the event loop is
    // busy, a connection_init that arrived in time may still wait in the socket while the timer
    // fires; refusing it then would send a client that did nothing wrong round to connect again.
    const initTimer = setTimeout(() => {
      setImmediate(() => {
        if (!initReceived) socket.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
      });
    }, options.connectionInitTimeoutMs ?? 3000);
    // A ping not yet written when it times out sat behind this connection's outgoing bytes: the
    // client was slow to read, not silent (the metric tells the two apart).
    let pingWritten = true;
    const ping = () => {
      alive = false;
      pingWritten = false;
      socket.ping(undefined, undefined, () => (pingWritten = true));
    };
    const pinger = setInterval(() => {
      if (alive) return ping();
      // Timers run before the loop reads its sockets: after a stretch of the loop held by other
      // work (a compaction, a burst of requests), the pong that came back meanwhile may still wait
      // in the socket, unread. It is read in this turn's poll phase, before the check phase: the
      // connection is judged there, as connection_init is.
      setImmediate(() => {
        if (alive) return ping();
        if (socket.readyState !== socket.OPEN) return;
        options.onPingTimeout?.(initPayload, pingWritten);
        socket.terminate();
      });
    }, keepAliveMs);
    socket.on('pong', () => (alive = true));

    const finish = (id: string) => {
      const sub = subscriptions.get(id);
      if (!sub) return;
      sub.ticket.cancelled = true;
      sub.stop?.();
      sub.ticket.onDrain?.(); // releases a producer waiting for room
      subscriptions.delete(id);
    };

    socket.on('message', (data) => {
      handle(data).catch((error: unknown) => {
        log.error({ err: error }, 'WebSocket message failed');
        socket.close(CloseCode.InternalServerError, 'Internal server error');
      });
    });

    async function handle(data: RawData): Promise<void> {
      let message;
      try {
        message = parseMessage(String(data));
      } catch (e) {
        return socket.close(CloseCode.BadRequest, (e as Error).message.slice(0, 120));
      }
      switch (message.type) {
        case MessageType.ConnectionInit: {
          if (initReceived) return socket.close(CloseCode.TooManyInitialisationRequests, 'Too many initialisation requests');
          initReceived = true;
          initPayload = message.payload ?? undefined;
          const accepted = options.onConnect ? options.onConnect(initPayload, request) : {};
          if (accepted === false) return socket.close(CloseCode.Forbidden, 'Forbidden');
          connectionContext = accepted;
          acknowledged = true;
          return outbox.sendNow(JSON.stringify({ type: MessageType.ConnectionAck }));
        }
        case MessageType.Ping:
          return outbox.sendNow(JSON.stringify({ type: MessageType.Pong }));
        case MessageType.Pong:
          return;
        case MessageType.Subscribe: {
          if (!acknowledged) return socket.close(CloseCode.Unauthorized, 'Unauthorized');
          const { id } = message;
          if (subscriptions.has(id)) return socket.close(CloseCode.SubscriberAlreadyExists, `Subscriber for ${id} already exists`);
          if (subscriptions.size >= (options.maxSubscriptions ?? 100)) {
            const error = { message: `too many operations on this connection: the limit is ${options.maxSubscriptions ?? 100}`, extensions: { code: 'RATE_LIMITED' } };
            return outbox.sendNow(JSON.stringify({ id, type: MessageType.Error, payload: [error] }));
          }
          const ticket: OutboxTicket = { cancelled: false };
          const entry: { ticket: OutboxTicket; stop?: () => void } = { ticket };
          subscriptions.set(id, entry);
          // The connection is past its byte bound: this subscription ends (its frame was dropped), told why.
          ticket.onOverflow = () =>
            queueMicrotask(() => {
              const sub = subscriptions.get(id);
              if (sub !== entry) return;
              subscriptions.delete(id);
              sub.stop?.();
              sub.ticket.onDrain?.();
              options.onSlowConsumer?.();
              const error = {
                message: `the client is not reading: more than ${outbox.limit} bytes are buffered for its connection; resume from the last revision received`,
                extensions: { code: 'SLOW_CONSUMER' },
              };
              outbox.sendNow(JSON.stringify({ id, type: MessageType.Error, payload: [error] }));
            });
          const channel = {
            next: (t: OutboxTicket, body: Buffer | Promise<Buffer>, spliced?: boolean) => outbox.push(t, body, spliced),
            error: (errors: readonly unknown[]) => {
              if (ticket.cancelled) return;
              finish(id);
              outbox.sendNow(JSON.stringify({ id, type: MessageType.Error, payload: errors }));
            },
            complete: () => {
              if (ticket.cancelled) return;
              // Not finish(id): it cancels the ticket, and the outbox drops a cancelled ticket's frames,
              // this `complete` and any `next` still queued with it. The source is done; free the id.
              subscriptions.delete(id);
              outbox.push(ticket, Buffer.from(JSON.stringify({ id, type: MessageType.Complete })));
            },
          };
          try {
            const stop = await runSubscription(yoga, { ...connectionContext, upgradeRequest: request, socket, connectionParams: initPayload }, id, message.payload as SubscribePayload, channel, ticket, executions);
            if (ticket.cancelled) stop?.();
            else entry.stop = stop;
          } catch (error) {
            log.error({ err: error, subscription: id }, 'subscription failed');
            channel.error([{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
          }
          return;
        }
        case MessageType.Complete:
          return finish(message.id);
        default:
          return socket.close(CloseCode.BadRequest, `Unexpected message of type ${message.type} received`);
      }
    }

    socket.on('close', () => {
      clearTimeout(initTimer);
      clearInterval(pinger);
      for (const id of [...subscriptions.keys()]) finish(id);
      outbox.close();
      open.delete(subscriptions);
    });
  });

  return {
    /** Open subscriptions over all connections, and the connections (metrics). */
    subscriptionCount: () => [...open].reduce((n, subs) => n + subs.size, 0),
    connectionCount: () => wss.clients.size,
    close(): Promise<void> {
      for (const client of wss.clients) client.close(1001, 'Going away: the server is shutting down');
      // A client that does not answer the close handshake is cut after 2 s (ws would wait 30 s).
      const cut = setTimeout(() => wss.clients.forEach((client) => client.terminate()), 2000);
      cut.unref();
      return new Promise((resolve) => wss.close(() => (clearTimeout(cut), resolve())));
    },
  };
}
