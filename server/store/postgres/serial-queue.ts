/**
 * One async task at a time: the replica is changed by write batches and by catch-up with other
 * servers' commits, never by two at once (each awaits PostgreSQL in the middle).
 */
export interface SerialQueue {
  /** Runs `task` after every task queued before it; its failure is the caller's, the queue goes on. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Resolves once every task queued so far has finished. */
  idle(): Promise<void>;
}

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  let pending = 0;
  return {
    run(task) {
      pending++;
      const result = tail.then(task).finally(() => pending--);
      tail = result.catch(() => {});
      return result;
    },
    async idle() {
      while (pending > 0) await tail;
    },
  };
}
