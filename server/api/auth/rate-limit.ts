/** A token bucket per identity: past its rate a request answers RATE_LIMITED (HTTP 429). */
import { KubeqlError } from '../../errors.js';

export function createRateLimiter(perSecond: number, burst: number) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(identity: string): void {
      const now = Date.now();
      const b = buckets.get(identity) ?? { tokens: burst, at: now };
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
      b.at = now;
      if (b.tokens < 1) {
        buckets.set(identity, b);
        const retry = Math.ceil((1 - b.tokens) / perSecond);
        throw new KubeqlError('RATE_LIMITED', `too many requests from ${identity}: the limit is ${perSecond} per second`, {
          http: { status: 429, headers: { 'Retry-After': String(Math.max(1, retry)) } },
        });
      }
      b.tokens -= 1;
      buckets.set(identity, b);
    },
  };
}
