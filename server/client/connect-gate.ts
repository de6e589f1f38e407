/**
 * At most `concurrency` WebSocket handshakes in progress at once (TCP connect, upgrade,
 * connection_init until its ack), for every client of a process that shares the gate. A process
 * with a socket per identity (the node agents: a watch per node) then opens its thousands of
 * sockets at the pace the server acknowledges them, rather than all at once; and when the server
 * ends them together (a restart, a stall), they come back at that same pace, not as a storm of
 * connects that the server's accept queue drops while it is busiest. A handshake that neither
 * succeeds nor fails gives its place up after `holdMs`, so a server that never answers cannot block
 * the gate for good.
 */

export interface ConnectGateOptions {
  /** Handshakes at once (default 16). */
  concurrency?: number;
  /** The longest one handshake keeps its place (default 30 s). */
  holdMs?: number;
}

export interface ConnectGate {
  /** Waits for a place; the answer gives it back (calling it again does nothing). */
  acquire(): Promise<() => void>;
  readonly stats: {
    /** Handshakes started. */
    started: number;
    /** Handshakes in progress now. */
    inProgress: number;
    /** Waiting for a place now. */
    waiting: number;
  };
}

export function createConnectGate(options: ConnectGateOptions = {}): ConnectGate {
  const concurrency = Math.max(1, options.concurrency ?? 16);
  const holdMs = options.holdMs ?? 30_000;
  const queue: Array<() => void> = [];
  const stats = { started: 0, inProgress: 0, waiting: 0 };

  const grant = (): (() => void) => {
    stats.started++;
    stats.inProgress++;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      clearTimeout(timer);
      stats.inProgress--;
      const next = queue.shift();
      if (next) {
        stats.waiting--;
        next();
      }
    };
    const timer = setTimeout(release, holdMs);
    timer.unref();
    return release;
  };

  return {
    stats,
    acquire() {
      if (stats.inProgress < concurrency) return Promise.resolve(grant());
      stats.waiting++;
      return new Promise((resolve) => queue.push(() => resolve(grant())));
    },
  };
}
