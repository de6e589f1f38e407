/**
 * Services of type LoadBalancer: with no cloud provider there is no load balancer to provision, so
 * EXTERNAL-IP stays `<pending>` (as on kind or minikube). This controller says why, with a Warning
 * Event on the Service, recorded again (its count grows) whenever the Service changes.
 */
import type { Service } from '../resources/objects.js';
import type { ControllerFactory } from './framework/manager.js';
import { startReconciler } from './framework/reconciler.js';

export function pendingMessage(svc: Service): string {
  const spec = svc.spec;
  const nodePorts = (spec.ports ?? []).filter((p) => p.nodePort).map((p) => `${p.nodePort}/${p.protocol ?? 'TCP'}`);
  return `No load-balancer implementation in this cluster: EXTERNAL-IP stays <pending>; the Service is reachable on its ClusterIP${nodePorts.length ? ` and on every node's port ${nodePorts.join(', ')}` : ''}`;
}

export const loadBalancerController: ControllerFactory = ({ informers, events }) => {
  const services = informers.informer('Service');
  const recorder = events('service-controller');
  return startReconciler({
    name: 'load-balancer',
    primary: services,
    async reconcile(key) {
      const [namespace, name] = key.split('/');
      const svc = services.cache.get(namespace, name);
      if (!svc || svc.metadata.deletionTimestamp || svc.spec.type !== 'LoadBalancer') return;
      const ingress = svc.status?.loadBalancer?.ingress ?? [];
      if (ingress.length === 0) recorder.event(svc, 'Warning', 'LoadBalancerPending', pendingMessage(svc));
    },
  });
};
