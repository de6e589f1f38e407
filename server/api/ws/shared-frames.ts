/**
 * One execution and one serialization per (event payload, authorization scope + document +
 * variables), shared by every watcher that receives that payload with the same key: the selection
 * runs once, its JSON is encoded once, and each watcher's frame is its own head (built once per
 * subscription) spliced before those shared bytes. The key must carry the authorization scope
 * (auth/sharing-scope.ts): what one identity may see never reaches another.
 */
import type { ExecutionResult } from 'graphql';
import type { WatchPayload } from '../watch/transition.js';

/** The closing brace of a `next` frame, after its payload. */
const CLOSE = 0x7d;

/** A `next` frame's body: the payload's JSON and the frame's closing brace, as UTF-8. */
function body(result: ExecutionResult): Buffer {
  const json = JSON.stringify(result);
  const bytes = Buffer.allocUnsafe(Buffer.byteLength(json) + 1);
  bytes[bytes.write(json)] = CLOSE;
  return bytes;
}

/** The head of subscription `id`'s `next` frames: `{"id":…,"type":"next","payload":`. */
export function nextHead(id: string): Buffer {
  return Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
}

/** A whole `next` frame (for subscriptions whose executions are not shared). */
export function nextFrame(id: string, payloadJson: string): string {
  return `{"id":${JSON.stringify(id)},"type":"next","payload":${payloadJson}}`;
}

/** The executions of one key, shared by the subscriptions that joined it. */
export interface SharedExecution {
  /** The body for `payload`: executed by the first subscriber to ask, the same bytes for the others. */
  bodyFor(payload: WatchPayload, execute: (payload: WatchPayload) => ExecutionResult | Promise<ExecutionResult>): Buffer | Promise<Buffer>;
  /** This subscriber is gone; the last one to leave frees the key. */
  leave(): void;
}

interface Slot {
  users: number;
  /** The payload of the latest execution: a commit hands one payload to every live watcher in turn. */
  last?: WatchPayload;
  lastBody?: Buffer | Promise<Buffer>;
  /** Older payloads still asked for (watchers catching up from the window share its events' payloads). */
  earlier: WeakMap<WatchPayload, Buffer | Promise<Buffer>>;
}

/** The shared executions of one server's WebSocket subscriptions, by key. */
export function createSharedExecutions() {
  const slots = new Map<string, Slot>();
  return {
    /** Joins the executions shared under `key` (created by the first subscriber). */
    join(key: string): SharedExecution {
      let slot = slots.get(key);
      if (!slot) slots.set(key, (slot = { users: 0, earlier: new WeakMap() }));
      const s = slot;
      s.users++;
      let left = false;
      return {
        bodyFor(payload, execute) {
          if (payload === s.last) return s.lastBody!;
          let bytes = s.earlier.get(payload);
          if (bytes === undefined) {
            const result = execute(payload);
            bytes = result instanceof Promise ? result.then(body) : body(result);
            s.earlier.set(payload, bytes);
          }
          s.last = payload;
          s.lastBody = bytes;
          return bytes;
        },
        leave() {
          if (left) return;
          left = true;
          if (--s.users === 0 && slots.get(key) === s) slots.delete(key);
        },
      };
    },
    /** Keys with subscribers (for tests and metrics). */
    size: () => slots.size,
  };
}

export type SharedExecutions = ReturnType<typeof createSharedExecutions>;
