/**
 * Waiting in tests for something that settles on its own time: a condition that becomes true, or a
 * promise that should (or should not yet) have settled.
 */

/** Polls `ok` every 20 ms until it holds; fails naming `what` after 15 s. */
export async function until(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether `promise` has settled after `ms` of letting pending work run. */
export async function settled(promise: Promise<unknown>, ms = 100): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setTimeout(r, ms));
  return done;
}
