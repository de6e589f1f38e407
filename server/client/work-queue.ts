/**
 * A work queue, as client-go's: a key waits at most once (de-duplicated), is given to one worker at
 * a time (a key added while it is processed runs again after), failures retry with per-key
 * exponential backoff (5 ms doubling to 1,000 s) bounded by an overall token bucket, and at most
 * `concurrency` keys are processed at once.
 */
export interface WorkQueueOptions {
  concurrency?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Overall rate limit on retries: tokens per second and burst (client-go: 10 and 100). */
  qps?: number;
  burst?: number;
}

export type Reconcile = (key: string) => Promise<void>;

/**
 * The keys waiting, first in first out, each taken in constant time: Array.prototype.shift moves
 * every element once the array is large (V8 cannot trim the front of an array in its large-object
 * space), and a queue of 100,000 pod keys (the agents at 5,000 nodes) spent the process's whole
 * thread moving them: 150,000 keys took 7.8 s to drain, and the agents' watches missed their pings.
 */
class KeyQueue {
  private items: string[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(key: string): void {
    this.items.push(key);
  }
  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const key = this.items[this.head++];
    // Taken keys are dropped once they are half the array: a copy is never longer than the keys
    // taken since the last one, so each take costs constant time, amortized.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return key;
  }
  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

export function createWorkQueue(reconcile: Reconcile, options: WorkQueueOptions = {}) {
  const concurrency = options.concurrency ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 5;
  const maxDelayMs = options.maxDelayMs ?? 1_000_000;
  const qps = options.qps ?? 10;
  const burst = options.burst ?? 100;

  const queue = new KeyQueue();
  const dirty = new Set<string>();
  const processing = new Set<string>();
  const failures = new Map<string, number>();
  const timers = new Map<string, NodeJS.Timeout>();
  let active = 0;
  let shutDown = false;
  let tokens = burst;
  let tokensAt = Date.now();
  let idleWaiters: Array<() => void> = [];

  function bucketDelay(): number {
    const now = Date.now();
    tokens = Math.min(burst, tokens + ((now - tokensAt) / 1000) * qps);
    tokensAt = now;
    tokens -= 1;
    return tokens >= 0 ? 0 : (-tokens / qps) * 1000;
  }

  function add(key: string): void {
    if (shutDown || dirty.has(key)) return;
    dirty.add(key);
    if (!processing.has(key)) queue.push(key);
    pump();
  }

  function addAfter(key: string, ms: number): void {
    if (shutDown) return;
    if (ms <= 0) return add(key);
    if (timers.has(key)) return;
    const timer = setTimeout(() => {
      timers.delete(key);
      add(key);
    }, ms);
    timer.unref?.();
    timers.set(key, timer);
  }

  function addRateLimited(key: string): void {
    const n = failures.get(key) ?? 0;
    failures.set(key, n + 1);
    addAfter(key, Math.max(Math.min(maxDelayMs, baseDelayMs * 2 ** n), bucketDelay()));
  }

  function pump(): void {
    while (!shutDown && active < concurrency && queue.length > 0) {
      const key = queue.shift()!;
      dirty.delete(key);
      processing.add(key);
      active++;
      reconcile(key)
        .then(
          () => failures.delete(key),
          () => addRateLimited(key),
        )
        .finally(() => {
          processing.delete(key);
          active--;
          if (dirty.has(key)) queue.push(key);
          pump();
          if (active === 0 && queue.length === 0) {
            for (const wake of idleWaiters) wake();
            idleWaiters = [];
          }
        });
    }
  }

  return {
    add,
    addAfter,
    addRateLimited,
    /** Clears a key's failure count (client-go's Forget). */
    forget: (key: string) => void failures.delete(key),
    retries: (key: string) => failures.get(key) ?? 0,
    length: () => queue.length,
    /** Resolves when nothing is queued or processing (delayed retries excluded). */
    idle: () => (active === 0 && queue.length === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
    shutdown(): void {
      shutDown = true;
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      queue.clear();
    },
  };
}

export type WorkQueue = ReturnType<typeof createWorkQueue>;
