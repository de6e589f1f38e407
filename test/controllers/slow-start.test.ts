import { describe, expect, it } from 'vitest';
import { ClientError } from '../../server/client/client-error.js';
import { slowStartBatch } from '../../server/controllers/owned-pods.js';
import { SpentRequestIdError } from '../../server/controllers/replicaset/manage-replicas.js';
import { WARM_MS, firstBatch, isTransientCreateError, nextResume } from '../../server/controllers/replicaset/slow-start-resume.js';

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

describe('where the next slow start of a ReplicaSet begins', () => {
  const at = 1_000_000;
  const refused = new ClientError([{ message: 'pods "web-x" is forbidden: exceeded quota', extensions: { code: 'QUOTA_EXCEEDED' } }]);
  const lost = new ClientError([{ message: 'lost the answer of http://127.0.0.1:1/graphql (no answer within 60000 ms)' }], 'UNAVAILABLE');
  const shed = new ClientError([{ message: 'the server is busy', extensions: { code: 'RATE_LIMITED' } }]);

  it('goes on doubling from the batch a run reached while every create succeeds, up to burstReplicas', () => {
    expect(nextResume(undefined, { largestBatch: 128 }, 500, at)).toEqual({ batch: 256, at });
    expect(nextResume({ batch: 256, at: 0 }, { largestBatch: 490 }, 500, at)).toEqual({ batch: 500, at });
    // The climb 1, 2, …, 128, 245 made 500 pods: the next run begins with all 500 at once.
    expect(nextResume(undefined, { largestBatch: 245, created: 500 }, 500, at)).toEqual({ batch: 500, at });
    expect(nextResume(undefined, { largestBatch: 4, created: 7 }, 500, at)).toEqual({ batch: 8, at });
    expect(firstBatch({ batch: 500, at }, at + 1000)).toBe(500);
    // A scale-up long after the last one climbs from 1 again.
    expect(firstBatch({ batch: 500, at }, at + WARM_MS)).toBe(1);
    expect(firstBatch(undefined, at)).toBe(1);
  });

  it('begins again from 1 only after a create the server refused', () => {
    expect(nextResume({ batch: 256, at: 0 }, { error: refused, largestBatch: 128 }, 500, at)).toBeUndefined();
    expect(isTransientCreateError(refused)).toBe(false);
    expect(isTransientCreateError(new Error('unexpected'))).toBe(false);
  });

  it('a lost answer, a shed request or a spent id keeps the batch the run had reached (the sync is retried with backoff)', () => {
    for (const error of [lost, shed, new SpentRequestIdError('request id for pod 3 of default/web was answered with web-abc, made earlier')]) {
      expect(isTransientCreateError(error)).toBe(true);
      // The batch that failed was 256: the next run begins at the 128 that succeeded whole, not 1 and not 256.
      expect(nextResume({ batch: 64, at: 0 }, { error, largestBatch: 128, created: 255 }, 500, at)).toEqual({ batch: 128, at });
      // Its first batch failed: it begins where it began.
      expect(nextResume({ batch: 256, at: 0 }, { error, largestBatch: 0 }, 500, at)).toEqual({ batch: 256, at });
      expect(nextResume(undefined, { error, largestBatch: 0 }, 500, at)).toBeUndefined();
    }
  });
});
