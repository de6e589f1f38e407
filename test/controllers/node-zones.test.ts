/** Kubernetes' zone rules as node-zones.ts computes them (the controller's behaviour is in node-lifecycle.test.ts). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ZONE_SETTINGS as S, taintRate, TokenBucket, zoneState, ZoneTainters } from '../../server/controllers/node-zones.js';

describe('zone state', () => {
  it('FullDisruption with no Ready node, PartialDisruption above 2 not Ready at 55% or more, Normal otherwise', () => {
    expect(zoneState(0, 1, 0.55)).toBe('FullDisruption');
    expect(zoneState(0, 0, 0.55)).toBe('Normal');
    expect(zoneState(1, 2, 0.55)).toBe('Normal'); // 67%, but only 2
    expect(zoneState(2, 3, 0.55)).toBe('PartialDisruption'); // 60%
    expect(zoneState(9, 11, 0.55)).toBe('PartialDisruption'); // exactly 55%
    expect(zoneState(10, 11, 0.55)).toBe('Normal'); // 52%
  });

  it('taint rates: normal, secondary for a large zone in partial disruption, 0 for a small one', () => {
    expect(taintRate('Normal', 3, S)).toBe(0.1);
    expect(taintRate('FullDisruption', 3, S)).toBe(0.1);
    expect(taintRate('PartialDisruption', 51, S)).toBe(0.01);
    expect(taintRate('PartialDisruption', 50, S)).toBe(0);
  });
});

describe('token bucket and zone queues', () => {
  it('burst 1, then one per 1/rate seconds; rate 0 never', () => {
    const b = new TokenBucket(0.1, 0);
    expect(b.tryTake(0)).toBe(true);
    expect(b.tryTake(9_000)).toBe(false);
    expect(b.tryTake(10_001)).toBe(true);
    b.swap(0, 20_000);
    expect(b.tryTake(100_000)).toBe(false);
    b.swap(0.1, 100_000); // was empty: the new bucket starts empty
    expect(b.tryTake(100_000)).toBe(false);
    expect(b.tryTake(110_001)).toBe(true);
  });

  it('every zone FullDisruption: nothing is taken until a zone recovers', () => {
    const z = new ZoneTainters(S);
    expect(z.update(new Map([['a', { ready: 0, notReady: 3 }], ['b', { ready: 0, notReady: 2 }]]), 0)).toBe('entered');
    z.add('a', 'n1');
    expect(z.take(60_000)).toEqual([]);
    expect(z.update(new Map([['a', { ready: 0, notReady: 3 }], ['b', { ready: 1, notReady: 1 }]]), 60_000)).toBe('left');
    expect(z.take(60_000)).toEqual([]); // the bucket that was shut starts empty
    expect(z.take(70_001)).toEqual([{ zone: 'a', node: 'n1' }]);
  });
});
