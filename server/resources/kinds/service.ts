/** Service: a stable virtual IP (ClusterIP, allocated at create) in front of the pods its selector matches. */
import type { KindDef } from '../kind.js';
import { arr, bool, int, intOrString, json, jsonOf, kindShape, obj, req, str, stringMap, type Infer } from '../shape.js';
import { childPath, type FieldError } from '../validation/field-error.js';
import { dns1035LabelErrors, dns1123LabelErrors, portNameErrors } from '../validation/names.js';
import { validateLabels } from '../validation/labels.js';
import { allocateFromRange, ipErrors, rangeContains } from '../allocation/ipv4.js';
import { allocateNodePorts, NODE_PORT_POOL, nodePortsOf, type PortLike } from '../allocation/node-ports.js';
import type { Allocator } from '../kind.js';

export const CLUSTER_IP_POOL = 'service-cluster-ip';

export const ServiceSpec = obj('ServiceSpec', {
  type: str(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']),
  selector: stringMap,
  ports: arr(
    obj('ServicePort', {
      name: str(),
      protocol: str(['TCP', 'UDP', 'SCTP']),
      port: req(int(1, 65535)),
      targetPort: intOrString,
      nodePort: int(1, 65535),
      appProtocol: str(),
    }),
  ),
  clusterIP: str(),
  clusterIPs: arr(str()),
  sessionAffinity: str(['None', 'ClientIP']),
  externalName: str(),
  internalTrafficPolicy: str(['Cluster', 'Local']),
  ipFamilies: arr(str()),
  ipFamilyPolicy: str(),
  publishNotReadyAddresses: bool,
  externalTrafficPolicy: str(['Cluster', 'Local']),
  allocateLoadBalancerNodePorts: bool,
  externalIPs: arr(str()),
  loadBalancerIP: str(),
  loadBalancerClass: str(),
  loadBalancerSourceRanges: arr(str()),
});

/** status.loadBalancer (core/v1 LoadBalancerStatus): kept as JSON, read as this. */
export interface LoadBalancerStatus {
  ingress?: Array<{ ip?: string; hostname?: string; ipMode?: string; ports?: unknown[] }>;
}

export const ServiceShape = kindShape('Service', 'v1', { spec: req(ServiceSpec) }, obj('ServiceStatus', { loadBalancer: jsonOf<LoadBalancerStatus>(), conditions: json }));
/** A Service, as the API stores and returns it. */
export type Service = Infer<typeof ServiceShape>;
type ServiceSpecLike = Service['spec'];

const spec = (o: Service) => o.spec;
const needsClusterIP = (s: ServiceSpecLike) => s.type !== 'ExternalName' && s.clusterIP !== 'None';
/** NodePort, and LoadBalancer unless allocateLoadBalancerNodePorts is false. */
const needsNodePorts = (s: ServiceSpecLike) => s.type === 'NodePort' || (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false);
type ServicePortLike = NonNullable<ServiceSpecLike['ports']>[number];
const portsOf = (s: ServiceSpecLike): ServicePortLike[] => (Array.isArray(s.ports) ? s.ports.filter((p) => typeof p === 'object' && p !== null) : []);

/** nodePort on a Service that takes none: Forbidden, as Kubernetes says it. */
function strayNodePorts(s: ServiceSpecLike): FieldError[] {
  if (needsNodePorts(s)) return [];
  const errors: FieldError[] = [];
  (Array.isArray(s.ports) ? s.ports : []).forEach((p, i) => {
    if (typeof p === 'object' && p !== null && p.nodePort)
      errors.push({ path: childPath(childPath('spec.ports', i), 'nodePort'), message: `Forbidden: may not be used when \`type\` is '${s.type}'` });
  });
  return errors;
}

/** A ClusterIP from the range: the one asked for if free, else a random free one. */
function allocateClusterIP(s: ServiceSpecLike, allocator: Allocator): FieldError[] {
  if (s.clusterIP) {
    if (!rangeContains(allocator.serviceClusterIpRange, s.clusterIP))
      return [{ path: 'spec.clusterIP', message: `Invalid value: ${JSON.stringify(s.clusterIP)}: provided IP is not in the valid range. The range of valid IPs is ${allocator.serviceClusterIpRange}` }];
    if (allocator.isAllocated(CLUSTER_IP_POOL, s.clusterIP))
      return [{ path: 'spec.clusterIP', message: `Invalid value: ${JSON.stringify(s.clusterIP)}: provided IP is already allocated` }];
  } else {
    const ip = allocateFromRange(allocator.serviceClusterIpRange, 32, (v) => allocator.isAllocated(CLUSTER_IP_POOL, v), 'random');
    if (!ip) return [{ path: 'spec.clusterIP', message: `the service range ${allocator.serviceClusterIpRange} is full` }];
    s.clusterIP = ip;
  }
  s.clusterIPs = [s.clusterIP];
  return [];
}

function validateService(s: ServiceSpecLike): FieldError[] {
  const errors: FieldError[] = [];
  if (s.type === 'ExternalName') {
    if (!s.externalName) errors.push({ path: 'spec.externalName', message: 'Required value' });
  } else if (!Array.isArray(s.ports) || s.ports.length === 0) {
    if (s.clusterIP !== 'None') errors.push({ path: 'spec.ports', message: 'Required value' });
  }
  const names = new Set<string>();
  (Array.isArray(s.ports) ? s.ports : []).forEach((p, i) => {
    const path = childPath('spec.ports', i);
    if (typeof p !== 'object' || p === null) return;
    if (s.ports!.length > 1 && !p.name) errors.push({ path: childPath(path, 'name'), message: 'Required value' });
    if (typeof p.name === 'string' && p.name !== '') {
      for (const m of dns1123LabelErrors(p.name)) errors.push({ path: childPath(path, 'name'), message: m });
      if (names.has(p.name)) errors.push({ path: childPath(path, 'name'), message: `Duplicate value: ${JSON.stringify(p.name)}` });
      names.add(p.name);
    }
    const twin = typeof p.nodePort === 'number' ? s.ports!.findIndex((q) => typeof q === 'object' && q !== null && q.nodePort === p.nodePort && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP')) : i;
    if (twin !== i) errors.push({ path: childPath(path, 'nodePort'), message: `Duplicate value: ${p.nodePort}` });
    if (typeof p.targetPort === 'number' && (p.targetPort < 1 || p.targetPort > 65535))
      errors.push({ path: childPath(path, 'targetPort'), message: `Invalid value: ${p.targetPort}: must be between 1 and 65535, inclusive` });
    if (typeof p.targetPort === 'string')
      for (const m of portNameErrors(p.targetPort)) errors.push({ path: childPath(path, 'targetPort'), message: `Invalid value: ${JSON.stringify(p.targetPort)}: ${m}` });
  });
  if (s.selector !== undefined) errors.push(...validateLabels(s.selector, 'spec.selector'));
  if (typeof s.clusterIP === 'string' && s.clusterIP !== '' && s.clusterIP !== 'None')
    for (const m of ipErrors(s.clusterIP)) errors.push({ path: 'spec.clusterIP', message: m });
  return errors;
}

export const service: KindDef<Service> = {
  ...ServiceShape,
  resource: 'services',
  getField: 'service',
  listField: 'services',
  shortNames: ['svc'],
  namespaced: true,
  nameErrors: dns1035LabelErrors,
  fieldSelectors: ['spec.clusterIP', 'spec.type'],
  applyDefaults(o) {
    const s = spec(o);
    s.type ??= 'ClusterIP';
    s.sessionAffinity ??= 'None';
    if (s.type !== 'ExternalName') {
      s.internalTrafficPolicy ??= 'Cluster';
      s.ipFamilies ??= ['IPv4'];
      s.ipFamilyPolicy ??= 'SingleStack';
    }
    if (s.type === 'NodePort' || s.type === 'LoadBalancer') s.externalTrafficPolicy ??= 'Cluster';
    if (s.type === 'LoadBalancer') s.allocateLoadBalancerNodePorts ??= true;
    for (const p of Array.isArray(s.ports) ? s.ports : []) {
      if (typeof p !== 'object' || p === null) continue;
      p.protocol ??= 'TCP';
      // SetDefaults_Service: an unset, 0 or empty targetPort is the port.
      if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
    }
  },
  validate: (o) => validateService(spec(o)),
  keepAllocated(next, old) {
    const now = spec(next);
    const was = spec(old);
    if (!now.clusterIP && was.clusterIP) now.clusterIP = was.clusterIP;
    if (!now.clusterIPs && was.clusterIPs && now.clusterIP === was.clusterIP) now.clusterIPs = was.clusterIPs;
    // patchAllocatedValues: a port left without a nodePort keeps the one it had, matched by port name.
    if (needsNodePorts(was) && needsNodePorts(now)) {
      const byName = new Map(portsOf(was).map((p) => [p.name ?? '', p.nodePort]));
      const used = new Set(nodePortsOf(now.ports));
      for (const p of portsOf(now)) {
        const old = byName.get(p.name ?? '');
        if (!p.nodePort && old && !used.has(old)) p.nodePort = old;
      }
    }
    // dropTypeDependentFields: turning into a type without nodePorts drops the ones it held.
    if (needsNodePorts(was) && !needsNodePorts(now)) {
      const held = new Set(nodePortsOf(was.ports));
      for (const p of portsOf(now)) if (p.nodePort && held.has(p.nodePort)) delete p.nodePort;
    }
  },
  validateUpdate(next, old) {
    const was = spec(old).clusterIP;
    if (was && spec(next).clusterIP !== was && spec(next).type === spec(old).type)
      return [{ path: 'spec.clusterIP', message: 'Invalid value: field is immutable' }];
    return [];
  },
  initialStatus: () => ({ loadBalancer: {} }),
  allocate(o, allocator) {
    const s = spec(o);
    const errors = [...strayNodePorts(s), ...(needsClusterIP(s) ? allocateClusterIP(s, allocator) : [])];
    if (errors.length === 0 && needsNodePorts(s)) errors.push(...allocateNodePorts(portsOf(s), allocator));
    return errors;
  },
  allocateUpdate(next, old, allocator) {
    const now = spec(next);
    const was = spec(old);
    const errors = strayNodePorts(now);
    // Turned from ExternalName into a type with a ClusterIP: one is allocated now.
    if (needsClusterIP(now) && !(needsClusterIP(was) && was.clusterIP)) errors.push(...allocateClusterIP(now, allocator));
    if (errors.length === 0 && needsNodePorts(now)) errors.push(...allocateNodePorts(portsOf(now), allocator, new Set(needsNodePorts(was) ? nodePortsOf(was.ports) : [])));
    return errors;
  },
  allocations(o) {
    const s = spec(o);
    if (!s) return [];
    const held = needsClusterIP(s) && s.clusterIP ? [{ pool: CLUSTER_IP_POOL, value: s.clusterIP, field: 'spec.clusterIP' }] : [];
    if (needsNodePorts(s)) for (const port of nodePortsOf(s.ports)) held.push({ pool: NODE_PORT_POOL, value: String(port), field: 'spec.ports.nodePort' });
    return held;
  },
};
