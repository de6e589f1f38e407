/** IPv4 arithmetic for the allocation pools: ClusterIPs from the service range, /24s from the pod network. */
import ipaddr from 'ipaddr.js';

function toUint(ip: string): number {
  return ipaddr.IPv4.parse(ip).toByteArray().reduce((acc, b) => acc * 256 + b, 0);
}

function fromUint(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

function parseRange(cidr: string): { base: number; bits: number } {
  const [addr, bits] = ipaddr.IPv4.parseCIDR(cidr);
  const size = 2 ** (32 - bits);
  return { base: Math.floor(toUint(addr.toString()) / size) * size, bits };
}

export function ipErrors(value: string): string[] {
  return ipaddr.IPv4.isValidFourPartDecimal(value) ? [] : [`Invalid value: ${JSON.stringify(value)}: must be a valid IPv4 address`];
}

export function cidrErrors(value: string): string[] {
  try {
    ipaddr.IPv4.parseCIDR(value);
    return [];
  } catch {
    return [`Invalid value: ${JSON.stringify(value)}: must be a valid IPv4 CIDR (10.128.0.0/24)`];
  }
}

export function rangeContains(range: string, ip: string): boolean {
  const { base, bits } = parseRange(range);
  const n = toUint(ip);
  return n >= base && n < base + 2 ** (32 - bits);
}

/**
 * Picks a free block of length `prefix` inside `range` (prefix 32: a single address, skipping the
 * range's network and broadcast addresses). `random` spreads picks, as Kubernetes' ClusterIP
 * allocator does; `sequential` takes the next free block after the allocated run at the start of
 * the range (the lowest free one while blocks are only added), as the node IPAM hands them out.
 */
export function allocateFromRange(
  range: string,
  prefix: number,
  isTaken: (value: string) => boolean,
  mode: 'random' | 'sequential',
): string | undefined {
  const { base, bits } = parseRange(range);
  const blockSize = 2 ** (32 - prefix);
  const first = prefix === 32 ? 1 : 0;
  const count = 2 ** (prefix - bits) - (prefix === 32 ? 2 : 0);
  if (count <= 0) return undefined;
  const format = (i: number) => (prefix === 32 ? fromUint(base + (first + i) * blockSize) : `${fromUint(base + (first + i) * blockSize)}/${prefix}`);
  let start = 0;
  if (mode === 'random') {
    for (let attempt = 0; attempt < 32; attempt++) {
      const candidate = format(Math.floor(Math.random() * count));
      if (!isTaken(candidate)) return candidate;
    }
    start = Math.floor(Math.random() * count);
  }
  if (mode === 'sequential') {
    const found = pastTakenRun(count, (i) => isTaken(format(i)));
    if (found !== undefined) return format(found);
  }
  for (let i = 0; i < count; i++) {
    const candidate = format((start + i) % count);
    if (!isTaken(candidate)) return candidate;
  }
  return undefined;
}

/**
 * A free index found in O(log n) lookups, or undefined when none was found that way: 0 if free,
 * else doubling steps from 0 to the first free probe, then halving between the last taken probe
 * and it down to a taken index followed by a free one. While indexes are only taken from the start
 * (nodes registering) that is the lowest free one. Scanning from 0 instead cost one lookup per
 * block already allocated, for every Node created: 12.5 million lookups over 5,000 nodes, 8% of
 * the API server's time in a profile taken while they registered.
 */
function pastTakenRun(count: number, taken: (i: number) => boolean): number | undefined {
  if (!taken(0)) return 0;
  // Invariant: `low` is taken; `high` is free or `count` (past the end).
  let low = 0;
  let high = count;
  for (let step = 1; low + step < count; step *= 2) {
    if (!taken(low + step)) {
      high = low + step;
      break;
    }
    low += step;
  }
  while (high - low > 1) {
    const mid = low + Math.floor((high - low) / 2);
    if (taken(mid)) low = mid;
    else high = mid;
  }
  return high < count ? high : undefined;
}
