/**
 * A watch as the `watch` subscription resolver returns it. The WebSocket server drives it in push
 * mode (`start(sink)`), sharing one execution per event among watchers; anything else (Server-Sent
 * Events over HTTP) iterates it as an ordinary AsyncIterable.
 */
import type { KubeqlError } from '../../errors.js';
import type { WatchHandle, WatchSink } from './watch-engine.js';
import type { WatchPayload } from './transition.js';

const ITERATOR_BUFFER = 1000;

export class WatchStream implements AsyncIterable<{ watch: WatchPayload }> {
  constructor(readonly start: (sink: WatchSink) => WatchHandle) {}

  [Symbol.asyncIterator](): AsyncIterator<{ watch: WatchPayload }> {
    const queue: WatchPayload[] = [];
    let failure: KubeqlError | undefined;
    let done = false;
    let wake: (() => void) | undefined;
    const handle = this.start({
      push(payload) {
        queue.push(payload);
        wake?.();
        return queue.length < ITERATOR_BUFFER;
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
            if (queue.length === ITERATOR_BUFFER / 2) handle.resume();
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
