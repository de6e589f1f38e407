/**
 * A node's pod IPs: addresses of its podCIDR (the network address, the gateway `.1` and the
 * broadcast address left out), handed out in turn (not lowest-first, so a freed address is not
 * reused at once) and freed when the pod goes.
 */
import ipaddr from 'ipaddr.js';

const toUint = (ip: string) => ipaddr.IPv4.parse(ip).toByteArray().reduce((acc, b) => acc * 256 + b, 0);
const fromUint = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/** The first address and size of a CIDR block. */
export function cidrRange(cidr: string): { base: number; size: number } {
  const [addr, bits] = ipaddr.IPv4.parseCIDR(cidr);
  const size = 2 ** (32 - bits);
  return { base: Math.floor(toUint(addr.toString()) / size) * size, size };
}

/**
 * The node's own address, derived from its podCIDR so that every node has a distinct one: the
 * n-th /24 of the pod network 10.128.0.0/9 gives 172.16.0.0 + n + 1 (inside 172.16.0.0/12).
 */
export function nodeAddressFor(podCIDR: string): string {
  const { base } = cidrRange(podCIDR);
  const index = Math.floor((base - toUint('10.128.0.0')) / 256) % 2 ** 20;
  return fromUint(toUint('172.16.0.0') + ((index + 1) % 2 ** 20));
}

export class PodIpPool {
  private readonly byOwner = new Map<string, string>();
  private readonly owners = new Map<string, string>();
  private readonly base: number;
  private readonly first: number;
  private readonly last: number;
  private next: number;

  constructor(readonly cidr: string) {
    const { base, size } = cidrRange(cidr);
    this.base = base;
    this.first = size > 4 ? 2 : 0;
    this.last = size > 4 ? size - 2 : size - 1;
    this.next = this.first;
  }

  contains(ip: string): boolean {
    try {
      const n = toUint(ip) - this.base;
      return n >= this.first && n <= this.last;
    } catch {
      return false;
    }
  }

  /** The address `owner` (a pod uid) holds, if any. */
  addressOf(owner: string): string | undefined {
    return this.byOwner.get(owner);
  }

  /** Takes `ip` for `owner` (re-adopting a pod after a restart); false if someone else holds it or it is outside the block. */
  reserve(ip: string, owner: string): boolean {
    if (!this.contains(ip)) return false;
    const holder = this.owners.get(ip);
    if (holder !== undefined && holder !== owner) return false;
    this.release(owner);
    this.owners.set(ip, owner);
    this.byOwner.set(owner, ip);
    return true;
  }

  /** An address for `owner` (the one it holds, or the next free); undefined when the block is full. */
  allocate(owner: string): string | undefined {
    const held = this.byOwner.get(owner);
    if (held) return held;
    const span = this.last - this.first + 1;
    for (let i = 0; i < span; i++) {
      const offset = this.first + ((this.next - this.first + i) % span);
      const ip = fromUint(this.base + offset);
      if (this.owners.has(ip)) continue;
      this.next = offset + 1 > this.last ? this.first : offset + 1;
      this.owners.set(ip, owner);
      this.byOwner.set(owner, ip);
      return ip;
    }
    return undefined;
  }

  release(owner: string): void {
    const ip = this.byOwner.get(owner);
    if (ip === undefined) return;
    this.byOwner.delete(owner);
    this.owners.delete(ip);
  }

  get size(): number {
    return this.byOwner.size;
  }
}
