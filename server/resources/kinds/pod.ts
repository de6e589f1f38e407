/** Pod: containers scheduled onto a node (spec.nodeName) and run there by its node agent. */
import type { KindDef } from '../kind.js';
import { arr, bool, dateTime, int, json, jsonOf, kindShape, obj, req, str, stringMap, type Infer } from '../shape.js';
import { childPath, type FieldError } from '../validation/field-error.js';
import type { Affinity } from './affinity.js';
import type { ContainerState } from './container-state.js';
import { dns1123LabelErrors, dns1123SubdomainErrors, envVarNameErrors, portNameErrors } from '../validation/names.js';
import { canonicalQuantity, parseQuantityExact, quantityErrors } from '../quantity.js';
import { diffPath } from '../validation/diff-path.js';

const protocol = str(['TCP', 'UDP', 'SCTP']);
/** Resource amounts by name (`cpu: "500m"`, `memory: 128Mi`): Kubernetes quantities, checked by validatePodSpec. */
export type Quantities = Record<string, string | number>;

export const ContainerPort = obj('ContainerPort', {
  name: str(),
  containerPort: req(int(1, 65535)),
  protocol,
  hostPort: int(1, 65535),
  hostIP: str(),
});

export const Container = obj('Container', {
  name: req(str()),
  image: req(str()),
  command: arr(str()),
  args: arr(str()),
  workingDir: str(),
  ports: arr(ContainerPort),
  env: arr(obj('EnvVar', { name: req(str()), value: str(), valueFrom: json })),
  resources: obj('ResourceRequirements', { requests: jsonOf<Quantities>(), limits: jsonOf<Quantities>() }),
  imagePullPolicy: str(['Always', 'IfNotPresent', 'Never']),
  terminationMessagePath: str(),
  terminationMessagePolicy: str(['File', 'FallbackToLogsOnError']),
});

export const Toleration = obj('Toleration', {
  key: str(),
  operator: str(['Exists', 'Equal']),
  value: str(),
  effect: str(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
  tolerationSeconds: int(),
});

export const PodSpec = obj('PodSpec', {
  containers: req(arr(Container)),
  initContainers: arr(Container),
  restartPolicy: str(['Always', 'OnFailure', 'Never']),
  terminationGracePeriodSeconds: int(0),
  activeDeadlineSeconds: int(1),
  dnsPolicy: str(['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None']),
  nodeSelector: stringMap,
  serviceAccountName: str(),
  nodeName: str(),
  hostname: str(),
  subdomain: str(),
  affinity: jsonOf<Affinity>(),
  tolerations: arr(Toleration),
  topologySpreadConstraints: json,
  schedulerName: str(),
  priority: int(),
  priorityClassName: str(),
  enableServiceLinks: bool,
  // Acted on by the DaemonSet controller (a daemon pod on the host network tolerates network-unavailable).
  hostNetwork: bool,
  // Counted with the containers' requests (quota, kq top).
  overhead: jsonOf<Quantities>(),
});

const condition = (name: string) =>
  obj(name, {
    type: req(str()),
    status: req(str(['True', 'False', 'Unknown'])),
    reason: str(),
    message: str(),
    lastProbeTime: dateTime,
    lastTransitionTime: dateTime,
  });

const ContainerStatus = obj('ContainerStatus', {
  name: req(str()),
  ready: bool,
  started: bool,
  restartCount: int(0),
  image: str(),
  imageID: str(),
  containerID: str(),
  state: jsonOf<ContainerState>(),
  lastState: jsonOf<ContainerState>(),
});

export const PodStatus = obj('PodStatus', {
  phase: str(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']),
  conditions: arr(condition('PodCondition')),
  message: str(),
  reason: str(),
  nominatedNodeName: str(),
  hostIP: str(),
  podIP: str(),
  podIPs: arr(obj('PodIP', { ip: req(str()) })),
  startTime: dateTime,
  initContainerStatuses: arr(ContainerStatus),
  containerStatuses: arr(ContainerStatus),
  qosClass: str(['Guaranteed', 'Burstable', 'BestEffort']),
});

type ContainerLike = Infer<typeof Container>;
type PodSpecLike = Infer<typeof PodSpec>;

export const PodShape = kindShape('Pod', 'v1', { spec: req(PodSpec) }, PodStatus);
/** A Pod, as the API stores and returns it. */
export type Pod = Infer<typeof PodShape>;

/** Kubernetes' defaults for a pod spec (also used for pod templates). */
export function defaultPodSpec(spec: PodSpecLike): void {
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  spec.enableServiceLinks ??= true;
  spec.priority ??= 0;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if (typeof c !== 'object' || c === null) continue;
    if (typeof c.image === 'string') c.imagePullPolicy ??= imagePullPolicyFor(c.image);
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    if (Array.isArray(c.ports)) for (const p of c.ports) if (typeof p === 'object' && p !== null) p.protocol ??= 'TCP';
    canonicalizeResources(c.resources);
  }
  if (spec.overhead) canonicalizeQuantities(spec.overhead);
}

/** Quantities as the API server writes them back (`0.5` → `500m`, `1024Mi` → `1Gi`); invalid ones are left for validation to name. */
export function canonicalizeQuantities(map: Record<string, unknown>): void {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return;
  for (const [name, q] of Object.entries(map)) {
    const canonical = canonicalQuantity(q);
    if (canonical !== undefined) map[name] = canonical;
  }
}

function canonicalizeResources(resources: ContainerLike['resources'] | unknown): void {
  if (typeof resources !== 'object' || resources === null) return;
  const r = resources as { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  if (r.requests) canonicalizeQuantities(r.requests);
  if (r.limits) canonicalizeQuantities(r.limits);
}

/** `Always` for `:latest` or an untagged image, else `IfNotPresent`, as Kubernetes defaults it. */
function imagePullPolicyFor(image: string): 'Always' | 'IfNotPresent' {
  const withoutDigest = image.split('@')[0];
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : '';
  if (image.includes('@')) return 'IfNotPresent';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

/** Rules on a pod spec beyond its shape: container names, ports, quantities. `path` names the spec. */
export function validatePodSpec(spec: PodSpecLike, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  const groups: Array<[string, ContainerLike[] | undefined]> = [
    ['initContainers', spec.initContainers],
    ['containers', spec.containers],
  ];
  if (Array.isArray(spec.containers) && spec.containers.length === 0)
    errors.push({ path: childPath(path, 'containers'), message: 'Required value' });
  for (const [field, list] of groups) {
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      if (typeof c !== 'object' || c === null) return;
      const cPath = childPath(childPath(path, field), i);
      if (typeof c.name === 'string') {
        for (const m of dns1123LabelErrors(c.name)) errors.push({ path: childPath(cPath, 'name'), message: `Invalid value: ${JSON.stringify(c.name)}: ${m}` });
        if (names.has(c.name)) errors.push({ path: childPath(cPath, 'name'), message: `Duplicate value: ${JSON.stringify(c.name)}` });
        names.add(c.name);
      }
      if (typeof c.image === 'string' && c.image.trim() === '') errors.push({ path: childPath(cPath, 'image'), message: 'Required value' });
      const portNames = new Set<string>();
      (Array.isArray(c.ports) ? c.ports : []).forEach((p, j) => {
        if (typeof p?.name !== 'string' || p.name === '') return;
        const namePath = childPath(childPath(childPath(cPath, 'ports'), j), 'name');
        for (const m of portNameErrors(p.name)) errors.push({ path: namePath, message: `Invalid value: ${JSON.stringify(p.name)}: ${m}` });
        if (portNames.has(p.name)) errors.push({ path: namePath, message: `Duplicate value: ${JSON.stringify(p.name)}` });
        portNames.add(p.name);
      });
      (Array.isArray(c.env) ? c.env : []).forEach((e, j) => {
        if (typeof e?.name !== 'string') return;
        for (const m of envVarNameErrors(e.name)) errors.push({ path: childPath(childPath(childPath(cPath, 'env'), j), 'name'), message: `Invalid value: ${JSON.stringify(e.name)}: ${m}` });
      });
      errors.push(...resourceErrors(c.resources, childPath(cPath, 'resources')));
    });
  }
  if (typeof spec.nodeName === 'string' && spec.nodeName !== '')
    for (const m of dns1123SubdomainErrors(spec.nodeName)) errors.push({ path: childPath(path, 'nodeName'), message: m });
  return errors;
}

/** `Name` of a resource map entry in a path: `requests.cpu`, or `requests["example.com/gpu"]`. */
const entryPath = (path: string, name: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`);

/**
 * ValidateResourceRequirements: every quantity valid, within Kubeql's bound and not negative
 * (ValidateNonnegativeQuantity); a request no more than its limit.
 */
function resourceErrors(resources: ContainerLike['resources'], path: string): FieldError[] {
  const errors: FieldError[] = [];
  const valid: Record<'requests' | 'limits', Map<string, bigint>> = { requests: new Map(), limits: new Map() };
  for (const which of ['limits', 'requests'] as const) {
    const map = resources?.[which];
    if (map === undefined || map === null) continue;
    const mPath = childPath(path, which);
    if (typeof map !== 'object' || Array.isArray(map)) {
      errors.push({ path: mPath, message: 'must be an object of quantities' });
      continue;
    }
    for (const [name, q] of Object.entries(map)) {
      const at = entryPath(mPath, name);
      const qErrors = quantityErrors(q);
      for (const m of qErrors) errors.push({ path: at, message: `Invalid value: ${JSON.stringify(q)}: ${m}` });
      if (qErrors.length) continue;
      const exact = parseQuantityExact(q)!;
      if (exact.nanos < 0n) errors.push({ path: at, message: `Invalid value: ${JSON.stringify(q)}: must be greater than or equal to 0` });
      else valid[which].set(name, exact.nanos);
    }
  }
  for (const [name, request] of valid.requests) {
    const limit = valid.limits.get(name);
    if (limit !== undefined && request > limit)
      errors.push({
        path: entryPath(childPath(path, 'requests'), name),
        message: `Invalid value: ${JSON.stringify(resources!.requests![name])}: must be less than or equal to ${name} limit of ${JSON.stringify(resources!.limits![name])}`,
      });
  }
  return errors;
}

/** The pod's QoS class, as the kubelet computes it from requests and limits. */
function qosClass(spec: PodSpecLike): string {
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const requests = c.resources?.requests ?? {};
    const limits = c.resources?.limits ?? {};
    if (Object.keys(requests).length || Object.keys(limits).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (limits[r] === undefined) guaranteed = false;
      else if (requests[r] !== undefined && String(requests[r]) !== String(limits[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** A pod's spec is immutable but for container images, activeDeadlineSeconds and added tolerations. */
function validatePodUpdate(next: Pod, old: Pod): FieldError[] {
  const mask = (spec: PodSpecLike): Record<string, unknown> => ({
    ...spec,
    containers: spec.containers?.map((c) => ({ ...c, image: undefined })),
    initContainers: spec.initContainers?.map((c) => ({ ...c, image: undefined })),
    activeDeadlineSeconds: undefined,
    tolerations: undefined,
    terminationGracePeriodSeconds: undefined,
  });
  const differs = diffPath(mask(old.spec), mask(next.spec), 'spec');
  if (!differs) return [];
  return [{ path: differs, message: 'Forbidden: pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations) or `spec.terminationGracePeriodSeconds`' }];
}

export const pod: KindDef<Pod> = {
  ...PodShape,
  resource: 'pods',
  getField: 'pod',
  listField: 'pods',
  shortNames: ['po'],
  namespaced: true,
  nameErrors: dns1123SubdomainErrors,
  // PodToSelectableFields (k8s.io/kubernetes pkg/registry/core/pod/strategy.go).
  fieldSelectors: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  applyDefaults: (o) => defaultPodSpec(o.spec),
  validate: (o) => validatePodSpec(o.spec, 'spec'),
  validateUpdate: validatePodUpdate,
  initialStatus: (o) => ({ phase: 'Pending', qosClass: qosClass(o.spec) }),
  beginDeletion(o, options) {
    const spec = o.spec;
    const grace = options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
    // An unbound pod has no kubelet to wait for: it goes at once.
    o.metadata.deletionGracePeriodSeconds = spec.nodeName ? grace : 0;
  },
  holdsDeletion: (o) => Boolean(o.spec.nodeName) && (o.metadata.deletionGracePeriodSeconds ?? 0) > 0,
};
