/**
 * What one object charges against a ResourceQuota, as Kubernetes' quota evaluators count it:
 * every object `count/<resource>[.<group>]`; a Pod also `pods` and its compute requests and limits
 * (`requests.cpu`, `cpu`, `limits.memory`, ... summed over containers, at least the largest init
 * container's); a Service `services`, `services.loadbalancers`, `services.nodeports`; a
 * ResourceQuota `resourcequotas`. Terminal pods (Succeeded, Failed) and pods being deleted charge nothing.
 */
import type { KObject, KindDef } from '../kind.js';
import { isKind, type Container, type Pod, type PodSpec, type Service } from '../objects.js';
import { quotaAmount } from './amounts.js';

type ContainerLike = Pick<Container, 'resources'>;

/** `count/<resource>` for the core group, `count/<resource>.<group>` otherwise (`count/deployments.apps`). */
export function countResourceName(kind: KindDef): string {
  const slash = kind.apiVersion.indexOf('/');
  return slash < 0 ? `count/${kind.resource}` : `count/${kind.resource}.${kind.apiVersion.slice(0, slash)}`;
}

/** A pod charges quota while it can still run: not terminal and not being deleted. */
export function podCharges(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

/** A container's request for `resource`; Kubernetes defaults a missing request to the limit. */
const requestOf = (c: ContainerLike, resource: string) => c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource];
const limitOf = (c: ContainerLike, resource: string) => c.resources?.limits?.[resource];

/** Per quota name (`requests.cpu`), the pod's total: the sum over containers, at least any one init container's. */
function podCompute(spec: PodSpec): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (target: Record<string, number>, name: string, value: unknown) => {
    if (value !== undefined && value !== null) target[name] = (target[name] ?? 0) + quotaAmount(name, value);
  };
  const tally = (containers: ContainerLike[], combine: (name: string, amount: number) => void) => {
    for (const c of containers) {
      const one: Record<string, number> = {};
      const resources = new Set([...Object.keys(c.resources?.requests ?? {}), ...Object.keys(c.resources?.limits ?? {})]);
      for (const r of resources) {
        add(one, `requests.${r}`, requestOf(c, r));
        add(one, `limits.${r}`, limitOf(c, r));
      }
      for (const [name, amount] of Object.entries(one)) combine(name, amount);
    }
  };
  tally(spec.containers ?? [], (name, amount) => (out[name] = (out[name] ?? 0) + amount));
  tally(spec.initContainers ?? [], (name, amount) => (out[name] = Math.max(out[name] ?? 0, amount)));
  // The bare names are the requests (`cpu` is `requests.cpu`).
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) if (out[`requests.${r}`] !== undefined) out[r] = out[`requests.${r}`];
  return out;
}

function serviceCharges(service: Service): Record<string, number> {
  const spec = service.spec;
  const exposed = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
  return {
    services: 1,
    'services.loadbalancers': spec.type === 'LoadBalancer' ? 1 : 0,
    'services.nodeports': exposed ? (spec.ports?.length ?? 0) : 0,
  };
}

/** Everything `object` charges, by quota resource name (empty when it charges nothing). */
export function chargesOf(kind: KindDef, object: KObject): Record<string, number> {
  if (isKind(object, 'Pod')) {
    if (!podCharges(object)) return {};
    return { [countResourceName(kind)]: 1, pods: 1, ...podCompute(object.spec) };
  }
  const charges: Record<string, number> = { [countResourceName(kind)]: 1 };
  if (isKind(object, 'Service')) Object.assign(charges, serviceCharges(object));
  if (kind.kind === 'ResourceQuota') charges.resourcequotas = 1;
  return charges;
}

const COMPUTE_REQUIRED = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

/**
 * The compute resources a quota limits that some container of `pod` leaves unspecified (Kubernetes'
 * podConstraints: with a cpu quota, every container must say how much cpu it wants), sorted.
 */
export function missingPodResources(pod: Pod, hardNames: readonly string[]): string[] {
  const spec = pod.spec;
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  const missing = new Set<string>();
  for (const name of hardNames.filter((n) => COMPUTE_REQUIRED.includes(n))) {
    const [which, resource] = name.includes('.') ? name.split('.') : ['requests', name];
    for (const c of containers) if ((which === 'limits' ? limitOf(c, resource) : requestOf(c, resource)) === undefined) missing.add(name);
  }
  return [...missing].sort();
}
