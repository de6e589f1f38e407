/**
 * The Endpoints of a Service, as Kubernetes' endpoints controller computes them: each matching pod
 * with an IP, in `addresses` when ready (or when the Service publishes not-ready addresses), else in
 * `notReadyAddresses`; ports from the Service's ports, a named `targetPort` resolved against the
 * pod's container ports (name and protocol), a pod without it left out of that port; addresses with
 * the same ports grouped into one subset (RepackSubsets).
 */
import type { EndpointSubset, Pod, Service, ServicePort } from '../resources/objects.js';

export type { EndpointSubset };
export type EndpointAddress = NonNullable<EndpointSubset['addresses']>[number];
export type EndpointPort = NonNullable<EndpointSubset['ports']>[number];

const statusOf = (pod: Pod) => pod.status ?? {};

/** Ready for Endpoints (DESIGN §7 Scheduling): Running, with a podIP, condition Ready=True, and not being deleted. */
export function isPodReady(pod: Pod): boolean {
  const s = statusOf(pod);
  return s.phase === 'Running' && Boolean(s.podIP) && (s.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True') && !pod.metadata.deletionTimestamp;
}

/** podutil.FindPort: a number is the port itself; a name is looked up among the containers' ports with the same protocol. */
function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  const protocol = sp.protocol ?? 'TCP';
  for (const c of pod.spec.containers)
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  return undefined;
}

function addressOf(pod: Pod, serviceName: string): EndpointAddress {
  const spec = pod.spec;
  const { name, namespace, uid } = pod.metadata;
  return {
    ip: statusOf(pod).podIP!,
    ...(spec.hostname && spec.subdomain === serviceName ? { hostname: spec.hostname } : {}),
    ...(spec.nodeName ? { nodeName: spec.nodeName } : {}),
    targetRef: { kind: 'Pod', namespace, name, uid },
  };
}

const byIp = (a: EndpointAddress, b: EndpointAddress) => a.ip.localeCompare(b.ip, 'en', { numeric: true }) || (a.targetRef?.name ?? '').localeCompare(b.targetRef?.name ?? '');

/** The subsets for `service` given the pods its selector matches. */
export function endpointSubsets(service: Service, pods: readonly Pod[]): EndpointSubset[] {
  const spec = service.spec;
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
