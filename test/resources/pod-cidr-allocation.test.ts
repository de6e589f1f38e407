/**
 * The node IPAM's pick of a podCIDR (allocateFromRange, sequential): the lowest free /24 while nodes
 * are only added, found in a number of lookups that grows with the logarithm of the nodes already
 * there (a Node create at 5,000 nodes once looked up all 5,000 taken blocks first), and still any
 * free block when the allocated ones have holes or fill the range.
 */
import { describe, expect, it } from 'vitest';
import { allocateFromRange } from '../../server/resources/allocation/ipv4.js';

const POD_NETWORK = '10.128.0.0/9';
const cidr = (i: number) => `10.${128 + Math.floor(i / 256)}.${i % 256}.0/24`;

/** A taken set and the lookups made of it. */
function takenSet(values: Iterable<string>) {
  const set = new Set(values);
  const probe = { lookups: 0, taken: (v: string) => (probe.lookups++, set.has(v)) };
  return probe;
}

describe('podCIDR allocation', () => {
  it('the first nodes get the first blocks, in order', () => {
    const held: string[] = [];
    for (let i = 0; i < 3; i++) held.push(allocateFromRange(POD_NETWORK, 24, (v) => held.includes(v), 'sequential')!);
    expect(held).toEqual(['10.128.0.0/24', '10.128.1.0/24', '10.128.2.0/24']);
  });

  it('with 5,000 blocks taken from the start, the next is the 5,001st, found in at most 30 lookups', () => {
    const probe = takenSet(Array.from({ length: 5000 }, (_, i) => cidr(i)));
    expect(allocateFromRange(POD_NETWORK, 24, probe.taken, 'sequential')).toBe(cidr(5000));
    expect(probe.lookups).toBeLessThanOrEqual(30);
  });

  it('with holes (nodes deleted), the pick is always a free block', () => {
    const held = new Set(Array.from({ length: 3000 }, (_, i) => cidr(i)));
    for (const hole of [0, 7, 1500, 2047, 2999]) held.delete(cidr(hole));
    for (let n = 0; n < 10; n++) {
      const picked = allocateFromRange(POD_NETWORK, 24, (v) => held.has(v), 'sequential')!;
      expect(held.has(picked)).toBe(false);
      held.add(picked);
    }
    expect(held.size).toBe(3005);
  });

  it('a range full but for one block gives that block; a full range gives none', () => {
    const range = '10.0.0.0/22'; // four /24 blocks
    const all = ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24'];
    for (const free of all) expect(allocateFromRange(range, 24, (v) => v !== free, 'sequential')).toBe(free);
    expect(allocateFromRange(range, 24, () => true, 'sequential')).toBeUndefined();
  });
});
