/** Node: a machine that runs pods; the API server gives each a podCIDR from the pod network at create. */
import type { KindDef } from '../kind.js';
import { arr, bool, dateTime, jsonOf, kindShape, obj, req, str, type Infer } from '../shape.js';
import { dns1123SubdomainErrors } from '../validation/names.js';
import { allocateFromRange, cidrErrors } from '../allocation/ipv4.js';
import { diffPath } from '../validation/diff-path.js';

export const Taint = obj('Taint', {
  key: req(str()),
  value: str(),
  effect: req(str(['NoSchedule', 'PreferNoSchedule', 'NoExecute'])),
  timeAdded: dateTime,
});

const NodeCondition = obj('NodeCondition', {
  type: req(str()),
  status: req(str(['True', 'False', 'Unknown'])),
  reason: str(),
  message: str(),
  lastHeartbeatTime: dateTime,
  lastTransitionTime: dateTime,
});

export const POD_CIDR_POOL = 'pod-cidr';

export const NodeSpec = obj('NodeSpec', {
  podCIDR: str(),
  podCIDRs: arr(str()),
  unschedulable: bool,
  taints: arr(Taint),
  providerID: str(),
});

/** Resource amounts by name (`cpu: "4"`, `memory: 8Gi`, `pods: "110"`). */
export type ResourceList = Record<string, string | number>;

/** status.nodeInfo (core/v1 NodeSystemInfo): kept as JSON, read as this. */
export interface NodeSystemInfo {
  kubeletVersion?: string;
  kubeProxyVersion?: string;
  osImage?: string;
  kernelVersion?: string;
  containerRuntimeVersion?: string;
  operatingSystem?: string;
  architecture?: string;
  [other: string]: unknown;
}

export const NodeStatus = obj('NodeStatus', {
  capacity: jsonOf<ResourceList>(),
  allocatable: jsonOf<ResourceList>(),
  conditions: arr(NodeCondition),
  addresses: arr(obj('NodeAddress', { type: req(str()), address: req(str()) })),
  nodeInfo: jsonOf<NodeSystemInfo>(),
  phase: str(),
});

export const NodeShape = kindShape('Node', 'v1', { spec: NodeSpec }, NodeStatus);
/** A Node, as the API stores and returns it. */
export type Node = Infer<typeof NodeShape>;

export const node: KindDef<Node> = {
  ...NodeShape,
  resource: 'nodes',
  getField: 'node',
  listField: 'nodes',
  shortNames: ['no'],
  namespaced: false,
  nameErrors: dns1123SubdomainErrors,
  fieldSelectors: ['spec.unschedulable'],
  applyDefaults(o) {
    o.spec ??= {};
  },
  validate(o) {
    const spec = o.spec!;
    if (spec.podCIDR === undefined) return [];
    return cidrErrors(spec.podCIDR).map((message) => ({ path: 'spec.podCIDR', message }));
  },
  keepAllocated(next, old) {
    const was = old.spec!;
    const now = next.spec!;
    if (was.podCIDR && now.podCIDR === undefined) now.podCIDR = was.podCIDR;
    if (was.podCIDRs && now.podCIDRs === undefined) now.podCIDRs = was.podCIDRs;
  },
  validateUpdate(next, old) {
    const was = old.spec!;
    const d = was.podCIDR ? diffPath({ podCIDR: was.podCIDR, podCIDRs: was.podCIDRs }, { podCIDR: next.spec!.podCIDR, podCIDRs: next.spec!.podCIDRs }, 'spec') : undefined;
    return d ? [{ path: d, message: 'field is immutable once set' }] : [];
  },
  allocate(o, allocator) {
    const spec = o.spec!;
    if (spec.podCIDR) {
      if (allocator.isAllocated(POD_CIDR_POOL, spec.podCIDR))
        return [{ path: 'spec.podCIDR', message: `Invalid value: ${JSON.stringify(spec.podCIDR)}: already allocated to another node` }];
    } else {
      const cidr = allocateFromRange(allocator.podNetwork, allocator.podCidrPrefix, (v) => allocator.isAllocated(POD_CIDR_POOL, v), 'sequential');
      if (!cidr) return [{ path: 'spec.podCIDR', message: `the pod network ${allocator.podNetwork} has no free /${allocator.podCidrPrefix} left` }];
      spec.podCIDR = cidr;
    }
    spec.podCIDRs ??= [spec.podCIDR];
    return [];
  },
  allocations: (o) => {
    const cidr = o.spec?.podCIDR;
    return cidr ? [{ pool: POD_CIDR_POOL, value: cidr, field: 'spec.podCIDR' }] : [];
  },
};
