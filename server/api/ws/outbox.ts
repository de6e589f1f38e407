/**
 * A connection's outgoing frames, in order, handed to the socket while its buffer stays under a
 * high-water mark. Each subscription counts its own unsent frames, so the watch engine can stop
 * feeding a subscription whose client does not read, and resume it once the frames are out.
 */
import type { WebSocket } from 'ws';

const HIGH_WATER_BYTES = 1 << 20;

export interface OutboxTicket {
  /** Frames of this subscription not yet handed to the socket. */
  pending: number;
  cancelled: boolean;
  /** Called when `pending` drops to `lowWater`. */
  onDrain?: () => void;
  lowWater: number;
}

export function createOutbox(socket: WebSocket) {
  const queue: Array<{ ticket: OutboxTicket; frame: string | Promise<string> }> = [];
  let flushing = false;
  let waiter: (() => void) | undefined;
  // One shared write callback: wakes the flusher once the socket's buffer has room again.
  const written = () => {
    if (waiter && socket.bufferedAmount <= HIGH_WATER_BYTES / 2) {
      const wake = waiter;
      waiter = undefined;
      wake();
    }
  };

  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    try {
      while (queue.length > 0 && socket.readyState === socket.OPEN) {
        if (socket.bufferedAmount > HIGH_WATER_BYTES) {
          // The client is not reading fast enough: hold the rest here until the socket drains.
          await new Promise<void>((resolve) => (waiter = resolve));
          continue;
        }
        const { ticket, frame } = queue.shift()!;
        if (ticket.cancelled) continue;
        const text = typeof frame === 'string' ? frame : await frame;
        if (ticket.cancelled) continue;
        socket.send(text, written);
        ticket.pending--;
        if (ticket.pending === ticket.lowWater) ticket.onDrain?.();
      }
    } finally {
      flushing = false;
    }
  }

  return {
    push(ticket: OutboxTicket, frame: string | Promise<string>): void {
      ticket.pending++;
      queue.push({ ticket, frame });
      void flush();
    },
    /** Sends a control frame (error, complete) at once. */
    sendNow(text: string): void {
      if (socket.readyState === socket.OPEN) socket.send(text);
    },
    /** Wakes a flusher waiting on a socket that closed. */
    close(): void {
      queue.length = 0;
      waiter?.();
    },
  };
}
