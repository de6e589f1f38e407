/**
 * The Endpoints of a Service, as Kubernetes' endpoints controller computes them: each matching pod
 * with an IP, in `addresses` when ready (or when the Service publishes not-ready addresses), else in
 * `notReadyAddresses`; ports from the Service's ports, a named `targetPort` resolved against the
 * pod's container ports (name and protocol), a pod without it left out of that port; addresses with
 * the same ports grouped into one subset (RepackSubsets).
 */
import type { KObject } from '../resources/kind.js';

interface ServicePortLike {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  appProtocol?: string;
}

interface ServiceSpecLike {
  ports?: ServicePortLike[];
  publishNotReadyAddresses?: boolean;
}

interface PodSpecLike {
  nodeName?: string;
  hostname?: string;
  subdomain?: string;
  containers?: Array<{ ports?: Array<{ name?: string; containerPort: number; protocol?: string }> }>;
}

interface PodStatusLike {
  phase?: string;
  podIP?: string;
  conditions?: Array<{ type: string; status: string }>;
}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

const statusOf = (pod: KObject) => (pod.status ?? {}) as PodStatusLike;

/** Ready for Endpoints (DESIGN §7 Scheduling): Running, with a podIP, condition Ready=True, and not being deleted. */
export function isPodReady(pod: KObject): boolean {
  const s = statusOf(pod);
  return s.phase === 'Running' && Boolean(s.podIP) && (s.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') && !pod.metadata.deletionTimestamp;
}

/** podutil.FindPort: a number is the port itself; a name is looked up among the containers' ports with the same protocol. */
function findPort(pod: KObject, sp: ServicePortLike): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  const protocol = sp.protocol ?? 'TCP';
  for (const c of (pod.spec as PodSpecLike).containers ?? [])
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  return undefined;
}

function addressOf(pod: KObject, serviceName: string): EndpointAddress {
  const spec = pod.spec as PodSpecLike;
  const { name, namespace, uid } = pod.metadata;
  return {
    ip: statusOf(pod).podIP!,
    ...(spec.hostname && spec.subdomain === serviceName ? { hostname: spec.hostname } : {}),
    ...(spec.nodeName ? { nodeName: spec.nodeName } : {}),
    targetRef: { kind: 'Pod', namespace: namespace as string, name, uid },
  };
}

const byIp = (a: EndpointAddress, b: EndpointAddress) => a.ip.localeCompare(b.ip, 'en', { numeric: true }) || a.targetRef.name.localeCompare(b.targetRef.name);

/** The subsets for `service` given the pods its selector matches. */
export function endpointSubsets(service: KObject, pods: readonly KObject[]): EndpointSubset[] {
  const spec = service.spec as ServiceSpecLike;
  const servicePorts = spec.ports ?? [];
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const pod of pods) {
    const { podIP, phase } = statusOf(pod);
    // Without an IP there is nothing to reach; a terminal pod never serves again.
    if (!podIP || phase === 'Succeeded' || phase === 'Failed') continue;
    const ports: EndpointPort[] = [];
    for (const sp of servicePorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
    }
    if (servicePorts.length > 0 && ports.length === 0) continue;
    const key = JSON.stringify(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, ready: [], notReady: [] }));
    (spec.publishNotReadyAddresses || isPodReady(pod) ? group.ready : group.notReady).push(addressOf(pod, service.metadata.name));
  }
  return [...groups.keys()].sort().map((key) => {
    const { ports, ready, notReady } = groups.get(key)!;
    return {
      ...(ready.length ? { addresses: ready.sort(byIp) } : {}),
      ...(notReady.length ? { notReadyAddresses: notReady.sort(byIp) } : {}),
      ...(ports.length ? { ports } : {}),
    };
  });
}
