/** Waiting for a condition the way kubectl's --wait does: check, pause, check again, until true or the timeout (0: no timeout). */
import { CliError } from './cli-error.js';

export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string, intervalMs = 200): Promise<void> {
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) throw new CliError(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}
