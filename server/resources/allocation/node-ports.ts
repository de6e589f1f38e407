/**
 * NodePorts (Kubernetes' service-node-port-range, 30000-32767 by default): a Service of type
 * NodePort or LoadBalancer holds one port of the range per service port, unique cluster-wide.
 * An explicit nodePort is honoured when it is in the range and free; otherwise one is picked at
 * random. The store's allocation pool keeps each port unique and frees it on delete.
 */
import { randomInt } from 'node:crypto';
import type { Allocator } from '../kind.js';
import { childPath, type FieldError } from '../validation/field-error.js';

export const NODE_PORT_POOL = 'service-node-port';

export interface PortLike {
  name?: string;
  protocol?: string;
  port?: number;
  nodePort?: number;
}

export function parsePortRange(range: string): { low: number; high: number } {
  const m = /^(\d+)-(\d+)$/.exec(range);
  if (!m || Number(m[1]) < 1 || Number(m[2]) > 65535 || Number(m[1]) > Number(m[2])) throw new Error(`invalid node port range ${JSON.stringify(range)} (want LOW-HIGH, e.g. 30000-32767)`);
  return { low: Number(m[1]), high: Number(m[2]) };
}

/** A free port of the range, from a random start; undefined when the range is full. */
function pickFree(range: { low: number; high: number }, taken: (port: number) => boolean): number | undefined {
  const size = range.high - range.low + 1;
  const start = randomInt(size);
  for (let i = 0; i < size; i++) {
    const port = range.low + ((start + i) % size);
    if (!taken(port)) return port;
  }
  return undefined;
}

/**
 * Fills in and checks the nodePorts of `ports` (in place). `held` are the ports this Service
 * already holds (an update): those are its own, not "already allocated".
 */
export function allocateNodePorts(ports: PortLike[], allocator: Allocator, held: ReadonlySet<number> = new Set()): FieldError[] {
  const range = parsePortRange(allocator.serviceNodePortRange);
  const errors: FieldError[] = [];
  const mine = new Set<number>();
  const taken = (p: number) => mine.has(p) || (!held.has(p) && allocator.isAllocated(NODE_PORT_POOL, String(p)));
  // Explicit ports first, so a picked one never takes a port asked for further down the list.
  ports.forEach((p, i) => {
    if (typeof p !== 'object' || p === null || !p.nodePort) return;
    const path = childPath(childPath('spec.ports', i), 'nodePort');
    if (p.nodePort < range.low || p.nodePort > range.high)
      errors.push({ path, message: `Invalid value: ${p.nodePort}: provided port is not in the valid range. The range of valid ports is ${allocator.serviceNodePortRange}` });
    else if (!mine.has(p.nodePort) && taken(p.nodePort)) errors.push({ path, message: `Invalid value: ${p.nodePort}: provided port is already allocated` });
    mine.add(p.nodePort);
  });
  ports.forEach((p, i) => {
    if (typeof p !== 'object' || p === null || p.nodePort) return;
    const port = pickFree(range, taken);
    if (port === undefined) {
      errors.push({ path: childPath(childPath('spec.ports', i), 'nodePort'), message: `Internal error: failed to allocate a nodePort: range is full (${allocator.serviceNodePortRange})` });
      return;
    }
    p.nodePort = port;
    mine.add(port);
  });
  return errors;
}

/** The distinct nodePorts of `ports` (TCP and UDP may share one). */
export function nodePortsOf(ports: PortLike[] | undefined): number[] {
  const out = new Set<number>();
  for (const p of Array.isArray(ports) ? ports : []) if (typeof p === 'object' && p !== null && typeof p.nodePort === 'number') out.add(p.nodePort);
  return [...out];
}
