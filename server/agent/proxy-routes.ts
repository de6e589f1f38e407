/**
 * The proxy role (what kube-proxy programs on each node): from Services and Endpoints, the table
 * `ClusterIP:port/protocol → ready endpoint ip:port list`, plus `0.0.0.0:nodePort/protocol` for
 * NodePort and LoadBalancer Services (every node address answers on it), rebuilt for a service
 * whenever either object changes, and a round-robin choice of endpoint per route.
 */
import type { Informer, InformerEvent } from '../client/informer.js';
import type { Endpoints, Service } from '../resources/objects.js';

/** The address NodePort routes are keyed by: any address of any node. */
export const ANY_NODE = '0.0.0.0';

export interface Route {
  /** namespace/name of the Service */
  service: string;
  /** The service port's name ('' when unnamed). */
  portName: string;
  endpoints: string[];
}

/** The routes of one service, from it and its Endpoints (ports matched by name and protocol, as kube-proxy does). */
export function serviceRoutes(service: Service, endpoints: Endpoints | undefined): Map<string, Route> {
  const routes = new Map<string, Route>();
  const spec = service.spec;
  if (!spec.clusterIP || spec.clusterIP === 'None' || spec.type === 'ExternalName') return routes;
  const subsets = endpoints?.subsets ?? [];
  const key = `${service.metadata.namespace}/${service.metadata.name}`;
  for (const sp of spec.ports ?? []) {
    const protocol = sp.protocol ?? 'TCP';
    const list: string[] = [];
    for (const subset of subsets) {
      const port = (subset.ports ?? []).find((p) => (p.name ?? '') === (sp.name ?? '') && (p.protocol ?? 'TCP') === protocol);
      if (!port) continue;
      for (const a of subset.addresses ?? []) {
        const target = `${a.ip}:${port.port}`;
        if (!list.includes(target)) list.push(target);
      }
    }
    routes.set(`${spec.clusterIP}:${sp.port}/${protocol}`, { service: key, portName: sp.name ?? '', endpoints: list });
    if (sp.nodePort && (spec.type === 'NodePort' || spec.type === 'LoadBalancer'))
      routes.set(`${ANY_NODE}:${sp.nodePort}/${protocol}`, { service: key, portName: sp.name ?? '', endpoints: [...list] });
  }
  return routes;
}

export class ProxyRoutes {
  private readonly table = new Map<string, Route>();
  private readonly byService = new Map<string, string[]>();
  private readonly next = new Map<string, number>();
  private readonly subscriptions: Array<{ unsubscribe(): void }>;
  /** When the table last changed (ms since epoch). */
  updatedAt = 0;

  constructor(
    private readonly services: Informer<Service>,
    private readonly endpoints: Informer<Endpoints>,
  ) {
    const refresh = (e: InformerEvent<Service | Endpoints>) => this.refresh(e.object.metadata.namespace ?? '', e.object.metadata.name);
    this.subscriptions = [services.events$.subscribe(refresh), endpoints.events$.subscribe(refresh)];
  }

  private refresh(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    for (const route of this.byService.get(key) ?? []) this.table.delete(route);
    this.byService.delete(key);
    const service = this.services.cache.get(namespace, name);
    if (service) {
      const routes = serviceRoutes(service, this.endpoints.cache.get(namespace, name));
      for (const [route, value] of routes) this.table.set(route, value);
      this.byService.set(key, [...routes.keys()]);
    }
    this.updatedAt = Date.now();
  }

  /** The whole table, sorted by route. */
  routes(): Record<string, Route> {
    return Object.fromEntries([...this.table].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** The endpoint a connection to `ip:port/protocol` goes to, in turn (a ClusterIP, else a nodePort on any node address); undefined when there is none. */
  pick(ip: string, port: number, protocol = 'TCP'): string | undefined {
    let key = `${ip}:${port}/${protocol}`;
    if (!this.table.has(key)) key = `${ANY_NODE}:${port}/${protocol}`;
    const route = this.table.get(key);
    if (!route || route.endpoints.length === 0) return undefined;
    const i = (this.next.get(key) ?? 0) % route.endpoints.length;
    this.next.set(key, i + 1);
    return route.endpoints[i];
  }

  stop(): void {
    this.subscriptions.forEach((s) => s.unsubscribe());
  }
}
