/**
 * A connection's outgoing frames, in order, handed to the socket while its buffer stays under a
 * high-water mark, and bounded in bytes: what the socket holds (bufferedAmount) plus what waits
 * here. A push answers whether the connection still has room; a subscription told "no" stops
 * producing (the watch engine lets it fall behind, to catch up by cursor) and is woken when the
 * connection has drained. A push that would take the connection past its bound is not queued: its
 * subscription is ended (SLOW_CONSUMER), so one client that does not read holds at most the bound.
 */
import type { WebSocket } from 'ws';
import { encodeTextFrames } from './text-frames.js';

/** What the socket may hold before frames wait here instead. */
const SOCKET_HIGH_WATER_BYTES = 1 << 20;
/** Default bound of one connection's buffered bytes (socket + queue). */
export const DEFAULT_CONNECTION_BYTES = 16 << 20;

export interface OutboxTicket {
  cancelled: boolean;
  /** Called once the connection has room again after a push of this ticket answered false. */
  onDrain?: () => void;
  /** Called (once) when a push of this ticket found the connection past its bound; the frame was dropped. */
  onOverflow?: () => void;
}

interface Entry {
  ticket: OutboxTicket;
  frame: string | Promise<string>;
  /** Characters of the frame (of a pending one, once it resolved). */
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

  /** Sends the frames queued from `head` while the socket has room; stops at a pending frame. */
  function sendReady(): void {
    const batch: string[] = [];
    let room = SOCKET_HIGH_WATER_BYTES - socket.bufferedAmount;
    while (head < queue.length && room >= 0) {
      const entry = queue[head];
      if (typeof entry.frame !== 'string') break;
      take();
      queuedBytes -= entry.size;
      if (entry.frame === '' || entry.ticket.cancelled) continue;
      batch.push(entry.frame);
      room -= entry.size;
    }
    if (batch.length === 0) return;
    if (rawFrames) transport!.write(encodeTextFrames(batch), written);
    else {
      for (let i = 0; i < batch.length - 1; i++) socket.send(batch[i]);
      socket.send(batch[batch.length - 1], written);
    }
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
        if (typeof entry.frame === 'string') {
          sendReady();
          continue;
        }
        // A frame still being executed: the ones after it wait for it, in order.
        let text: string;
        try {
          text = await entry.frame;
        } catch {
          text = '';
        }
        take();
        queuedBytes -= entry.size;
        if (text === '' || entry.ticket.cancelled) continue;
        socket.send(text, written);
      }
    } finally {
      flushing = false;
      wakeBlocked();
    }
  }

  return {
    /** Queues a frame; answers whether the connection has room for more (false: stop until onDrain). */
    push(ticket: OutboxTicket, frame: string | Promise<string>): boolean {
      if (ticket.cancelled) return false;
      if (used() > maxBytes) {
        ticket.cancelled = true;
        blocked.delete(ticket);
        ticket.onOverflow?.();
        return false;
      }
      const entry: Entry = { ticket, frame, size: 0 };
      if (typeof frame === 'string') entry.size = frame.length;
      else
        void frame.then(
          (text) => {
            entry.size = text.length;
            queuedBytes += text.length;
          },
          () => {},
        );
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
