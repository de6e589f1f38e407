/**
 * The serviceaccounts controller (kube-controller-manager's): every active Namespace has a
 * ServiceAccount `default`, created when the namespace appears and again if it is deleted.
 */
import type { ControllerFactory } from './framework/manager.js';
import { createObject, hasCode } from './create-object.js';
import { startReconciler } from './framework/reconciler.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';

export const serviceAccountController: ControllerFactory = ({ client, informers }) => {
  const namespaces = informers.informer('Namespace');
  const accounts = informers.informer('ServiceAccount');
  return startReconciler({
    name: 'serviceaccount',
    primary: namespaces,
    secondary: [{ informer: accounts, keys: (e) => (e.type === 'DELETED' && e.object.metadata.name === DEFAULT_SERVICE_ACCOUNT ? [e.object.metadata.namespace!] : []) }],
    async reconcile(name) {
      const ns = namespaces.cache.get(undefined, name);
      if (!ns || ns.metadata.deletionTimestamp || accounts.cache.get(name, DEFAULT_SERVICE_ACCOUNT)) return;
      try {
        await createObject(client, 'ServiceAccount', { metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace: name } });
      } catch (error) {
        // Made meanwhile (the cache lags), or the namespace began terminating: nothing to do.
        if (!hasCode(error, 'ALREADY_EXISTS') && !hasCode(error, 'FORBIDDEN') && !hasCode(error, 'NOT_FOUND')) throw error;
      }
    },
  });
};
