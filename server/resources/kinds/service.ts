/** Service: a stable virtual IP (ClusterIP, allocated at create) in front of the pods its selector matches. */
import type { KindDef } from '../kind.js';
import { arr, bool, int, intOrString, json, kindShape, obj, req, str, stringMap, type Infer } from '../shape.js';
import { childPath, type FieldError } from '../validation/field-error.js';
import { dns1035LabelErrors, dns1123LabelErrors, portNameErrors } from '../validation/names.js';
import { validateLabels } from '../validation/labels.js';
import { allocateFromRange, ipErrors, rangeContains } from '../allocation/ipv4.js';

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
});

export const ServiceShape = kindShape('Service', 'v1', { spec: req(ServiceSpec) }, obj('ServiceStatus', { loadBalancer: json, conditions: json }));
/** A Service, as the API stores and returns it. */
export type Service = Infer<typeof ServiceShape>;
type ServiceSpecLike = Service['spec'];

const spec = (o: Service) => o.spec;
const needsClusterIP = (s: ServiceSpecLike) => s.type !== 'ExternalName' && s.clusterIP !== 'None';

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
    if (!needsClusterIP(s)) return [];
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
  },
  allocations(o) {
    const s = spec(o);
    return s && needsClusterIP(s) && s.clusterIP ? [{ pool: CLUSTER_IP_POOL, value: s.clusterIP, field: 'spec.clusterIP' }] : [];
  },
};
