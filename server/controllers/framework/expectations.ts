/**
 * Kubernetes' ControllerExpectations (UID-tracking for deletions): after a controller issues N creates
 * or deletes for a key, it does not act on that key again until its informer has observed them, or
 * until the record expires, so a watch that lags behind the writes never causes a second round.
 */
interface Expectation {
  add: number;
  del: number;
  /** Keys of the objects whose deletion is awaited: each counts once (deletionTimestamp, then DELETED). */
  deleting: Set<string>;
  at: number;
}

/** Kubernetes waits 5 minutes; requestIds make an early expiry harmless, so a minute is enough. */
export const EXPECTATIONS_TTL_MS = 60_000;

export class Expectations {
  private readonly records = new Map<string, Expectation>();

  constructor(
    private readonly ttlMs = EXPECTATIONS_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when nothing is awaited for `key` (or the record expired): the controller may act. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    return (r.add <= 0 && r.del <= 0) || this.now() - r.at > this.ttlMs;
  }

  expectCreations(key: string, count: number): void {
    this.records.set(key, { add: count, del: 0, deleting: new Set(), at: this.now() });
  }

  expectDeletions(key: string, objectKeys: string[]): void {
    this.records.set(key, { add: 0, del: objectKeys.length, deleting: new Set(objectKeys), at: this.now() });
  }

  /** Creates and deletes issued together (SetExpectations): both must be observed. */
  expect(key: string, creations: number, objectKeys: string[]): void {
    this.records.set(key, { add: creations, del: objectKeys.length, deleting: new Set(objectKeys), at: this.now() });
  }

  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.add--;
  }

  deletionObserved(key: string, objectKey: string): void {
    const r = this.records.get(key);
    if (r?.deleting.delete(objectKey)) r.del--;
  }

  delete(key: string): void {
    this.records.delete(key);
  }

  /** What is still awaited (for logs and tests). */
  pending(key: string): { add: number; del: number } | undefined {
    const r = this.records.get(key);
    return r && { add: r.add, del: r.del };
  }
}
