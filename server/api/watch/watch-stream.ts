/**
 * A watch as the `watch` subscription resolver returns it. The WebSocket server drives it in push
 * mode (`start(sink)`), sharing one execution per event among watchers; anything else (Server-Sent
 * Events over HTTP) iterates it as an ordinary AsyncIterable.
 */
import type { KubeqlError } from '../../errors.js';
import type { WatchHandle, WatchSink } from './watch-engine.js';
import type { WatchPayload } from './transition.js';

const ITERATOR_BUFFER = 1000;
/** ...and at most about this many bytes of objects (a reader that stops reading falls behind, as on WebSocket). */
const ITERATOR_BYTES = 8 << 20;

export class WatchStream implements AsyncIterable<{ watch: WatchPayload }> {
  constructor(readonly start: (sink: WatchSink) => WatchHandle) {}

  [Symbol.asyncIterator](): AsyncIterator<{ watch: WatchPayload }> {
    const queue: WatchPayload[] = [];
    let queuedBytes = 0;
    let full = false;
    let failure: KubeqlError | undefined;
    let done = false;
    let wake: (() => void) | undefined;
    const handle = this.start({
      push(payload) {
        queue.push(payload);
        queuedBytes += payload.bytes ?? 0;
        wake?.();
        full = queue.length >= ITERATOR_BUFFER || queuedBytes >= ITERATOR_BYTES;
        return !full;
      },
      end(error) {
        failure = error;
        wake?.();
      },
    });
    return {
      async next() {
        for (;;) {
          if (queue.length > 0) {
            const payload = queue.shift()!;
            queuedBytes -= payload.bytes ?? 0;
            if (full && queue.length <= ITERATOR_BUFFER / 2 && queuedBytes <= ITERATOR_BYTES / 2) {
              full = false;
              handle.resume();
            }
            return { value: { watch: payload }, done: false };
          }
          if (failure) throw failure;
          if (done) return { value: undefined, done: true };
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      },
      async return() {
        done = true;
        handle.stop();
        return { value: undefined, done: true };
      },
    };
  }
}
