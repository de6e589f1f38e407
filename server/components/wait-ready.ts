/** Polls a readiness endpoint (`/readyz`) until it answers 200, the process it belongs to exits, or the deadline passes. */
export interface WaitOptions {
  /** Give up when this settles: the process behind the endpoint has exited. */
  exited?: Promise<unknown>;
  ms?: number;
  intervalMs?: number;
}

export async function waitUntilReady(url: string, options: WaitOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.ms ?? 60_000);
  let gone = false;
  void options.exited?.then(() => (gone = true));
  let last = 'no answer yet';
  while (!gone) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const text = (await res.text()).trim();
      if (res.status === 200) return;
      last = `${res.status} ${text.slice(0, 200)}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${options.ms ?? 60_000} ms (last: ${last})`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
  throw new Error(`the process exited before ${url} was ready (last: ${last})`);
}
