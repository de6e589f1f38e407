/**
 * Other servers' commits, as they happen: a connection of its own LISTENs on the log's channels
 * and wakes the catch-up on each notification (no polling interval in the common path). A slow
 * timer wakes it too, only to heal a notification missed while the connection was down; a lost
 * connection is opened again.
 */
import type pg from 'pg';
import { createClient } from './connect.js';

export interface LogListener {
  close(): Promise<void>;
}

export interface ListenOptions {
  url: string;
  channels: readonly string[];
  /** Called on each notification (channel and payload) and on each tick of the healing timer (channel undefined). */
  wake: (channel?: string, payload?: string) => void;
  /** The healing timer's period (ms). */
  healEveryMs?: number;
}

/** Resolves once LISTEN is in place on every channel. */
export async function listenToLog(options: ListenOptions): Promise<LogListener> {
  const { url, channels, wake } = options;
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  async function connect(): Promise<void> {
    const c = createClient(url);
    c.on('notification', (n) => wake(n.channel, n.payload));
    c.on('error', () => lost(c));
    c.on('end', () => lost(c));
    await c.connect();
    for (const channel of channels) await c.query(`LISTEN ${channel}`);
    client = c;
    // Whatever was committed while no one listened.
    wake();
  }

  function lost(c: pg.Client): void {
    if (closed || client !== c) return;
    client = undefined;
    c.end().catch(() => {});
    retryLater();
  }

  function retryLater(): void {
    if (closed) return;
    retry = setTimeout(() => void connect().catch(retryLater), 500);
    retry.unref();
  }

  await connect();
  const heal = setInterval(() => wake(), options.healEveryMs ?? 1_000);
  heal.unref();
  return {
    async close() {
      closed = true;
      clearInterval(heal);
      clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
