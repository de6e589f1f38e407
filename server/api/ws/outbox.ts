/**
 * A connection's outgoing frames, in order, handed to the socket while its buffer stays under a
 * high-water mark, and bounded in bytes: what the socket holds (bufferedAmount) plus what waits
 * here. A push answers whether the connection still has room; a subscription told "no" stops
 * producing (the watch engine lets it fall behind, to catch up by cursor) and is woken when the
 * connection has drained. A push past the connection's bound is not queued: its subscription is
 * ended (SLOW_CONSUMER), so one client that does not read holds at most the bound.
 *
 * Frames are bytes. A `next` frame of a shared watch is spliced from two buffers: its
 * subscription's own head (`{"id":"…","type":"next","payload":`, built once per subscription) and
 * the body, the payload's JSON and the closing brace, built once per event for every subscriber
 * of the same execution. A delivery is then an entry in the queue and two copies into the batch
 * written to the socket: no string built, encoded or scanned per subscriber.
 */
import type { WebSocket } from 'ws';
import { headerBytes, writeHeader } from './text-frames.js';

/** What the socket may hold before frames wait here instead. */
const SOCKET_HIGH_WATER_BYTES = 1 << 20;
/** Default bound of one connection's buffered bytes (socket + queue). */
export const DEFAULT_CONNECTION_BYTES = 16 << 20;

export interface OutboxTicket {
  cancelled: boolean;
  /** The start of this subscription's `next` frames (`{"id":…,"type":"next","payload":`), before each body pushed spliced. */
  head?: Buffer;
  /** Called once the connection has room again after a push of this ticket answered false. */
  onDrain?: () => void;
  /** Called (once) when a push of this ticket found the connection past its bound; the frame was dropped. */
  onOverflow?: () => void;
}

interface Entry {
  ticket: OutboxTicket;
  /** The ticket's head goes before the body (a spliced `next` frame). */
  spliced: boolean;
  /** The frame's bytes (after the head when spliced); a promise while its execution runs; null when that failed. */
  body: Buffer | Promise<Buffer> | null;
  /** Bytes of the whole frame (of a pending one, once it resolved). */
  size: number;
}

/**
 * The connection's TCP socket (the upgrade request's, the one ws writes to). Batches of `next`
 * frames are written to it directly, whole frames in stream order, so they interleave with ws's
 * own (control) frames only at frame boundaries; ws's bufferedAmount counts them, as it reads the
 * socket's buffer. Only without extensions: a negotiated one (compression) would change the framing.
 */
export interface Transport {
  write(data: Buffer, callback: () => void): unknown;
}

export function createOutbox(socket: WebSocket, maxBytes = DEFAULT_CONNECTION_BYTES, transport?: Transport) {
  const queue: Entry[] = [];
  let head = 0;
  let queuedBytes = 0;
  let flushing = false;
  let scheduled = false;
  const rawFrames = transport !== undefined && socket.extensions === '';
  let waiter: (() => void) | undefined;
  /** Tickets told there was no room, to wake when there is. */
  const blocked = new Set<OutboxTicket>();
  const lowWater = maxBytes / 4;
  const highWater = maxBytes / 2;
  const used = () => queuedBytes + socket.bufferedAmount;

  function wakeBlocked(): void {
    if (blocked.size === 0 || used() > lowWater) return;
    const tickets = [...blocked];
    blocked.clear();
    for (const ticket of tickets) if (!ticket.cancelled) ticket.onDrain?.();
  }

  // One shared write callback: wakes the flusher once the socket's buffer has room again.
  const written = () => {
    if (waiter && socket.bufferedAmount <= SOCKET_HIGH_WATER_BYTES / 2) {
      const wake = waiter;
      waiter = undefined;
      wake();
    }
    wakeBlocked();
  };

  /**
   * Frames pushed in one turn of the event loop (a commit fans out to many subscriptions of this
   * connection) are written by one flush, after the pushes, as one buffer: one write to the
   * socket instead of a ws send, and a system call, each.
   */
  function schedule(): void {
    if (scheduled || flushing) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      void flush();
    });
  }

  /** Entries of the batch being encoded (kept between batches: no array per flush). */
  const batch: Entry[] = [];

  /** Sends the frames queued from `head` while the socket has room, as one write; stops at a pending frame. */
  function sendReady(): void {
    let room = SOCKET_HIGH_WATER_BYTES - socket.bufferedAmount;
    let total = 0;
    while (head < queue.length && room >= 0) {
      const entry = queue[head];
      if (entry.body instanceof Promise) break;
      take();
      queuedBytes -= entry.size;
      if (entry.body === null || entry.ticket.cancelled) continue;
      batch.push(entry);
      total += headerBytes(entry.size) + entry.size;
      room -= entry.size;
    }
    if (batch.length === 0) return;
    if (rawFrames) {
      const buffer = Buffer.allocUnsafe(total);
      let at = 0;
      for (const entry of batch) {
        at = writeHeader(buffer, at, entry.size);
        if (entry.spliced) {
          buffer.set(entry.ticket.head!, at);
          at += entry.ticket.head!.length;
        }
        buffer.set(entry.body as Buffer, at);
        at += (entry.body as Buffer).length;
      }
      batch.length = 0;
      transport!.write(buffer, written);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const entry = batch[i];
      const body = entry.body as Buffer;
      const data = entry.spliced ? Buffer.concat([entry.ticket.head!, body], entry.size) : body;
      if (i < batch.length - 1) socket.send(data, { binary: false });
      else socket.send(data, { binary: false }, written);
    }
    batch.length = 0;
  }

  function take(): void {
    queue[head++] = undefined as unknown as Entry;
    if (head > 1024 && head * 2 > queue.length) {
      queue.splice(0, head);
      head = 0;
    }
  }

  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    try {
      while (head < queue.length && socket.readyState === socket.OPEN) {
        if (socket.bufferedAmount > SOCKET_HIGH_WATER_BYTES) {
          // The client is not reading fast enough: hold the rest here until the socket drains.
          await new Promise<void>((resolve) => (waiter = resolve));
          continue;
        }
        const entry = queue[head];
        // A frame still being executed: the ones after it wait for it, in order.
        if (entry.body instanceof Promise) await entry.body.catch(() => {});
        sendReady();
      }
    } finally {
      flushing = false;
      wakeBlocked();
    }
  }

  return {
    /**
     * Queues a frame: `body` whole, or after the ticket's head when `spliced`; a promise is sent
     * in its place once it resolves (nothing when it rejects). Answers whether the connection has
     * room for more (false: stop until onDrain).
     */
    push(ticket: OutboxTicket, body: Buffer | Promise<Buffer>, spliced = false): boolean {
      if (ticket.cancelled) return false;
      if (used() > maxBytes) {
        ticket.cancelled = true;
        blocked.delete(ticket);
        ticket.onOverflow?.();
        return false;
      }
      const headBytes = spliced ? ticket.head!.length : 0;
      const entry: Entry = { ticket, spliced, body, size: 0 };
      if (body instanceof Promise)
        body.then(
          (bytes) => {
            entry.body = bytes;
            entry.size = headBytes + bytes.length;
            queuedBytes += entry.size;
          },
          () => (entry.body = null),
        );
      else entry.size = headBytes + body.length;
      queuedBytes += entry.size;
      queue.push(entry);
      schedule();
      if (used() <= highWater) return true;
      blocked.add(ticket);
      return false;
    },
    /** Sends a control frame (error, complete) at once. */
    sendNow(text: string): void {
      if (socket.readyState === socket.OPEN) socket.send(text);
    },
    /** Bytes buffered for this connection (socket and queue). */
    bytes: used,
    limit: maxBytes,
    /** Wakes a flusher waiting on a socket that closed. */
    close(): void {
      queue.length = 0;
      head = 0;
      queuedBytes = 0;
      blocked.clear();
      waiter?.();
    },
  };
}
