/**
 * The endpoints controller: an Endpoints object per Service with a selector (same namespace and
 * name), holding the addresses of the pods it selects (endpoints-subsets.ts), written only when
 * they change, and deleted when the Service goes. Services without a selector (and ExternalName
 * ones) are left alone: their Endpoints are written by hand.
 */
import { isDeepStrictEqual } from 'node:util';
import type { InformerEvent } from '../client/informer.js';
import { objectClientOf } from '../client/object-client.js';
import type { Pod, Service } from '../resources/objects.js';
import { endpointSubsets } from './endpoints-subsets.js';
import type { ControllerFactory } from './framework/manager.js';
import { deleteObject } from './framework/object-requests.js';
import { objectKey, splitKey, startReconciler, watches } from './framework/reconciler.js';

/** Marks the Endpoints this controller writes (Kubernetes 1.33 labels its own the same way). */
export const MANAGED_BY = 'endpoints.kubernetes.io/managed-by';
const CONTROLLER_NAME = 'endpoint-controller';

const selectorOf = (service: Service) => service.spec.selector;
const selects = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The Endpoints' labels: the Service's, plus the marks Kubernetes adds. */
function labelsFor(service: Service): Record<string, string> {
  const headless = service.spec.clusterIP === 'None';
  return { ...service.metadata.labels, [MANAGED_BY]: CONTROLLER_NAME, ...(headless ? { 'service.kubernetes.io/headless': '' } : {}) };
}

export const endpointsController: ControllerFactory = ({ client, informers }) => {
  const services = informers.informer('Service');
  const pods = informers.informer('Pod');
  const endpoints = informers.informer('Endpoints');
  const synced = Promise.all([services, pods, endpoints].map((i) => i.waitForSync()));
  // Services seen deleted: their Endpoints go even when written by hand, as Kubernetes does.
  const deleted = new Set<string>();
  const tracking = services.events$.subscribe((e) => (e.type === 'DELETED' ? deleted.add(objectKey(e.object)) : deleted.delete(objectKey(e.object))));

  /** The Services in a pod's namespace whose selector matches the pod, before or after the change. */
  const servicesOf = (e: InformerEvent<Pod>) => {
    const keys = new Set<string>();
    for (const pod of [e.object, e.old]) {
      if (!pod) continue;
      for (const s of services.cache.byIndex('namespace', pod.metadata.namespace ?? '')) {
        const selector = selectorOf(s);
        if (selector && selects(selector, pod.metadata.labels)) keys.add(objectKey(s));
      }
    }
    return [...keys];
  };

  const running = startReconciler({
    name: 'endpoints',
    primary: services,
    secondary: [
      watches(pods, servicesOf),
      watches(endpoints, (e) => [objectKey(e.object)]),
    ],
    async reconcile(key) {
      await synced;
      const { namespace = '', name } = splitKey(key);
      const service = services.cache.get(namespace, name);
      const current = endpoints.cache.get(namespace, name);
      if (!service) {
        if (current && (deleted.has(key) || current.metadata.labels?.[MANAGED_BY] === CONTROLLER_NAME)) await deleteObject(client, current);
        deleted.delete(key);
        return;
      }
      const selector = selectorOf(service);
      if (!selector || Object.keys(selector).length === 0 || service.spec.type === 'ExternalName') return;

      const matching = pods.cache.byIndex('namespace', namespace).filter((p) => selects(selector, p.metadata.labels));
      const subsets = endpointSubsets(service, matching);
      const labels = labelsFor(service);
      if (current && isDeepStrictEqual(current.subsets ?? [], subsets) && isDeepStrictEqual(current.metadata.labels ?? {}, labels)) return;
      const { annotations, finalizers, ownerReferences, resourceVersion } = current?.metadata ?? {};
      const metadata = { name, namespace, labels, ...(current ? { annotations, finalizers, ownerReferences, resourceVersion } : {}) };
      // A stale cache answers ALREADY_EXISTS or CONFLICT: the queue retries once the informer caught up.
      const objects = objectClientOf(client);
      await (current ? objects.update('Endpoints', { metadata, subsets }) : objects.create('Endpoints', { metadata, subsets }));
    },
  });
  return {
    ...running,
    stop(): void {
      tracking.unsubscribe();
      running.stop();
    },
  };
};
