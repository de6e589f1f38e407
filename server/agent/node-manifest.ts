/** What a simulated node reports about itself: labels, capacity and allocatable, conditions, addresses (as a kubelet registers and posts them). */
import type { Node } from '../resources/objects.js';

export interface NodeShape {
  name: string;
  zone?: string;
  cpu: string;
  memory: string;
  pods: string;
}

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
const KUBELET_VERSION = 'v1.31.0-kubeql';

export function nodeLabels(shape: NodeShape): Record<string, string> {
  return {
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/os': 'linux',
    [HOSTNAME_LABEL]: shape.name,
    ...(shape.zone ? { [ZONE_LABEL]: shape.zone, 'topology.kubernetes.io/region': 'kubeql' } : {}),
    'node.kubeql.dev/simulated': 'true',
  };
}

interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

const CONDITIONS: ReadonlyArray<Omit<NodeCondition, 'lastHeartbeatTime' | 'lastTransitionTime'>> = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];

export const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** The status the node posts; times of conditions that did not change are kept from `current`. */
export function nodeStatus(shape: NodeShape, address: string, current: Node | undefined, at = now()): Record<string, unknown> {
  const old = current?.status?.conditions ?? [];
  const resources = { cpu: shape.cpu, memory: shape.memory, pods: shape.pods, 'ephemeral-storage': '100Gi' };
  return {
    ...(current?.status ?? {}),
    capacity: resources,
    allocatable: resources,
    conditions: CONDITIONS.map((c) => {
      const was = old.find((o) => o.type === c.type);
      const same = was?.status === c.status;
      return { ...c, lastHeartbeatTime: same && was?.lastHeartbeatTime ? was.lastHeartbeatTime : at, lastTransitionTime: same && was?.lastTransitionTime ? was.lastTransitionTime : at };
    }),
    addresses: [
      { type: 'InternalIP', address },
      { type: 'Hostname', address: shape.name },
    ],
    nodeInfo: { kubeletVersion: KUBELET_VERSION, kubeProxyVersion: KUBELET_VERSION, operatingSystem: 'linux', architecture: 'amd64', containerRuntimeVersion: 'kubeql://simulated' },
  };
}

/** Whether the node's Ready condition says True. */
export const isReady = (node: Node | undefined) => (node?.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
