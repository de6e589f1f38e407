/** The resources the scheduler accounts for (cpu in millicores, memory in bytes, pod count), read from pods and nodes with the quantity parser. */
import type { KObject } from '../resources/kind.js';
import type { Container, Pod } from '../resources/objects.js';
import { milli, parseQuantity } from '../resources/quantity.js';

export interface Resources {
  milliCpu: number;
  memory: number;
  pods: number;
}

/** Kubernetes' defaults for scoring a container that requests nothing (schedutil.DefaultMilliCPURequest, DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

type ContainerLike = Pick<Container, 'resources'>;

const cpuOf = (q: unknown) => (q === undefined || q === null ? 0 : safe(() => milli(q)));
const memoryOf = (q: unknown) => (q === undefined || q === null ? 0 : Math.ceil(parseQuantity(q) ?? 0));
const safe = (f: () => number) => {
  try {
    return f();
  } catch {
    return 0;
  }
};

/**
 * What a pod asks for, as resourcehelper.PodRequests: the sum over its containers, raised to the
 * largest init container (they run one at a time, before the others). `nonZero` gives requestless
 * containers the scoring defaults, as the NodeResourcesFit score does.
 */
export function podRequests(pod: Pod, nonZero = false): Resources {
  const spec = pod.spec;
  const one = (c: ContainerLike) => {
    const r = c.resources?.requests ?? {};
    let cpu = cpuOf(r.cpu);
    let memory = memoryOf(r.memory);
    if (nonZero && r.cpu === undefined) cpu = DEFAULT_MILLI_CPU_REQUEST;
    if (nonZero && r.memory === undefined) memory = DEFAULT_MEMORY_REQUEST;
    return { cpu, memory };
  };
  let milliCpu = 0;
  let memory = 0;
  for (const c of spec.containers ?? []) {
    const r = one(c);
    milliCpu += r.cpu;
    memory += r.memory;
  }
  for (const c of spec.initContainers ?? []) {
    const r = one(c);
    milliCpu = Math.max(milliCpu, r.cpu);
    memory = Math.max(memory, r.memory);
  }
  return { milliCpu, memory, pods: 1 };
}

/** A node's allocatable resources; a node without `allocatable` offers its capacity (as the API server defaults it). */
export function nodeAllocatable(node: KObject): Resources {
  const status = (node.status ?? {}) as { allocatable?: Record<string, unknown>; capacity?: Record<string, unknown> };
  const a = status.allocatable ?? status.capacity ?? {};
  return { milliCpu: cpuOf(a.cpu), memory: memoryOf(a.memory), pods: Math.floor(parseQuantity(a.pods ?? 0) ?? 0) };
}
