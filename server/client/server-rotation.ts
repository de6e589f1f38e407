/**
 * Which of several API servers a client uses now: the first until it fails, then the next, round
 * and round. Many requests in flight may see the same server fail; only the first report moves the
 * client on, so concurrent failures do not skip past a healthy server.
 */
export class ServerRotation {
  private index = 0;

  constructor(readonly urls: readonly string[]) {}

  /** The index of the server to use now. */
  get current(): number {
    return this.index;
  }

  get url(): string {
    return this.urls[this.index];
  }

  /** Server `index` failed: move past it, unless the client already has. Answers whether it moved. */
  failed(index: number): boolean {
    if (index !== this.index || this.urls.length === 1) return false;
    this.index = (index + 1) % this.urls.length;
    return true;
  }
}

/** The pause before round `round` (0, 1, ...) through every server again: 100 ms doubling to 2 s. */
export function roundBackoffMs(round: number): number {
  return Math.min(2000, 100 * 2 ** round);
}
