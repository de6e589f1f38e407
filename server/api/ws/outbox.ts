/**
 * A connection's outgoing frames, in order, handed to the socket while its buffer stays under a
 * high-water mark, and bounded in bytes: what the socket holds (bufferedAmount) plus what waits
 * here. A push answers whether the connection still has room; a subscription told "no" stops
 * producing (the watch engine lets it fall behind, to catch up by cursor) and is woken when the
 * connection has drained. A push that would take the connection past its bound is not queued: its
 * subscription is ended (SLOW_CONSUMER), so one client that does not read holds at most the bound.
 *
 * Frames handed over in one turn of the event loop (a commit's events, fanned out to a watcher)
 * leave in one write: the connection's transport is corked at the first frame of the turn and
 * uncorked when the turn ends, rather than one system call per frame.
 */
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

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
 * `transport`: the connection's underlying stream (the upgraded request's socket), corked while a
 * turn's frames are written; without it each frame is written on its own.
 */
export function createOutbox(socket: WebSocket, maxBytes = DEFAULT_CONNECTION_BYTES, transport?: Duplex) {
  const queue: Entry[] = [];
  let head = 0;
  let queuedBytes = 0;
  let flushing = false;
  let waiter: (() => void) | undefined;
  /** Tickets told there was no room, to wake when there is. */
  const blocked = new Set<OutboxTicket>();
  const lowWater = maxBytes / 4;
  const highWater = maxBytes / 2;
  const used = () => queuedBytes + socket.bufferedAmount;
  let corked = false;
  const uncork = () => {
    corked = false;
    transport?.uncork();
  };
  /** Holds this turn's writes until the turn ends (nested corks from ws's own frame writes are counted by the stream). */
  function corkForTurn(): void {
    if (corked || !transport || transport.destroyed) return;
    corked = true;
    transport.cork();
    process.nextTick(uncork);
  }

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
        queue[head++] = undefined as unknown as Entry;
        if (head > 1024 && head * 2 > queue.length) {
          queue.splice(0, head);
          head = 0;
        }
        let text: string;
        try {
          text = typeof entry.frame === 'string' ? entry.frame : await entry.frame;
        } catch {
          text = '';
        }
        queuedBytes -= entry.size;
        if (text === '') continue;
        if (entry.ticket.cancelled) continue;
        corkForTurn();
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
      void flush();
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
