/**
 * The scheduling queue, as kube-scheduler's: pods to try now (active, first in first out), pods
 * waiting out a backoff after a failed attempt, and unschedulable pods parked until a cluster
 * event (a node added or changed, a pod gone) might let them fit; then they move back, to active
 * or, while their backoff runs, to backoff. Unschedulable pods are also retried after a long
 * while regardless, so nothing waits forever on a missed event. Never a busy loop.
 */
export interface SchedulingQueueOptions {
  /** The first backoff after a failed attempt; doubles per attempt (default 1 s). */
  initialBackoffMs?: number;
  /** The longest backoff (default 10 s). */
  maxBackoffMs?: number;
  /** Unschedulable pods are retried after this long even without an event (default 5 min). */
  unschedulableTimeoutMs?: number;
}

interface Attempts {
  count: number;
  lastAt: number;
}

export class SchedulingQueue {
  private active: string[] = [];
  private head = 0;
  private readonly inActive = new Set<string>();
  private readonly backoff = new Map<string, NodeJS.Timeout>();
  private readonly unschedulable = new Map<string, number>();
  private readonly attempts = new Map<string, Attempts>();
  private waiters: Array<() => void> = [];
  private readonly flushTimer: NodeJS.Timeout;
  private closed = false;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly unschedulableTimeoutMs: number;

  constructor(options: SchedulingQueueOptions = {}) {
    this.initialBackoffMs = options.initialBackoffMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.unschedulableTimeoutMs = options.unschedulableTimeoutMs ?? 300_000;
    this.flushTimer = setInterval(() => this.flushLongUnschedulable(), Math.min(30_000, this.unschedulableTimeoutMs));
    this.flushTimer.unref();
  }

  /** A new pod to schedule (or one seen again after a relist): tried now unless it is already waiting. */
  add(key: string): void {
    if (this.closed || this.inActive.has(key) || this.backoff.has(key) || this.unschedulable.has(key)) return;
    this.pushActive(key);
  }

  /** The pod itself changed (spec, labels): an unschedulable one gets another try. */
  updated(key: string): void {
    if (this.unschedulable.has(key)) this.requeue(key);
  }

  /** The next pod to try, counting the attempt; undefined when none is ready. */
  pop(): string | undefined {
    while (this.head < this.active.length) {
      const key = this.active[this.head++];
      if (this.head > 1024 && this.head * 2 > this.active.length) {
        this.active = this.active.slice(this.head);
        this.head = 0;
      }
      if (!this.inActive.delete(key)) continue;
      const a = this.attempts.get(key);
      this.attempts.set(key, { count: (a?.count ?? 0) + 1, lastAt: Date.now() });
      return key;
    }
    return undefined;
  }

  /** Resolves when a pod may be ready (after add, a move, or a backoff ending). */
  wait(): Promise<void> {
    if (this.inActive.size > 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The attempt found no node: park it until something changes. */
  parkUnschedulable(key: string): void {
    if (this.closed) return;
    this.unschedulable.set(key, Date.now());
  }

  /** The attempt failed for another reason (a bind conflict, the server away): try again after the backoff. */
  retryAfterBackoff(key: string): void {
    if (this.closed || this.inActive.has(key) || this.backoff.has(key)) return;
    this.unschedulable.delete(key);
    const wait = this.backoffRemaining(key);
    if (wait <= 0) return this.pushActive(key);
    const timer = setTimeout(() => {
      this.backoff.delete(key);
      this.pushActive(key);
    }, wait);
    timer.unref();
    this.backoff.set(key, timer);
  }

  /** A cluster event that may make parked pods fit: move every one back. */
  moveAllUnschedulable(): void {
    for (const key of [...this.unschedulable.keys()]) this.requeue(key);
  }

  /** Bound, or gone: forget everything about it. */
  done(key: string): void {
    this.inActive.delete(key);
    clearTimeout(this.backoff.get(key));
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    this.attempts.delete(key);
  }

  counts() {
    return { active: this.inActive.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  close(): void {
    this.closed = true;
    clearInterval(this.flushTimer);
    for (const t of this.backoff.values()) clearTimeout(t);
    this.backoff.clear();
    this.wake();
  }

  private requeue(key: string): void {
    this.unschedulable.delete(key);
    this.retryAfterBackoff(key);
  }

  private backoffRemaining(key: string): number {
    const a = this.attempts.get(key);
    if (!a) return 0;
    const duration = Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** Math.max(0, a.count - 1));
    return a.lastAt + duration - Date.now();
  }

  private flushLongUnschedulable(): void {
    const now = Date.now();
    for (const [key, since] of this.unschedulable) if (now - since >= this.unschedulableTimeoutMs) this.requeue(key);
  }

  private pushActive(key: string): void {
    if (this.closed || this.inActive.has(key)) return;
    this.inActive.add(key);
    this.active.push(key);
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
