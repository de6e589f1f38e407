import { describe, expect, it } from 'vitest';
import { slowStartBatch } from '../../server/controllers/owned-pods.js';

/** Runs slowStartBatch with creates that fail from index `failFrom` on; records each batch's size. */
async function run(count: number, failFrom: number, firstBatch?: number) {
  const batches: number[] = [];
  let calls = 0;
  let started = 0;
  const result = await slowStartBatch(
    count,
    async (i) => {
      calls++;
      started++;
      // A batch's calls all start before any of them goes on: the first to go on counts them.
      await Promise.resolve();
      if (started > 0) {
        batches.push(started);
        started = 0;
      }
      if (i >= failFrom) throw new Error(`create ${i} refused`);
    },
    firstBatch,
  );
  return { ...result, batches, calls };
}

describe('slowStartBatch', () => {
  it('doubles from 1 and stops at the first batch with a failed create', async () => {
    const r = await run(100, 7);
    expect(r.batches).toEqual([1, 2, 4, 8]);
    expect(r.calls).toBe(15);
    expect(r.successes).toBe(7);
    expect(r.error?.message).toBe('create 7 refused');
    expect(r.largestBatch).toBe(4);
  });

  it('resumes at a larger first batch, doubling up to the count, and reports the largest whole batch', async () => {
    const r = await run(500, Infinity, 128);
    expect(r.batches).toEqual([128, 256, 116]);
    expect(r.successes).toBe(500);
    expect(r.error).toBeUndefined();
    expect(r.largestBatch).toBe(256);
  });

  it('a resumed burst whose first create fails goes no further than its first batch', async () => {
    const r = await run(500, 0, 64);
    expect(r.batches).toEqual([64]);
    expect(r.calls).toBe(64);
    expect(r.successes).toBe(0);
    expect(r.largestBatch).toBe(0);
  });
});
