/**
 * The resource-quota controller: keeps each ResourceQuota's `status.hard` (its spec.hard) and
 * `status.used` (what the covered objects of its namespace charge, server/resources/quota) up to
 * date, in the canonical text of quota/amounts.ts, writing only when they change. Admission does
 * not read this status: the API server counts usage exactly inside the create's transaction.
 */
import { isDeepStrictEqual } from 'node:util';
import { kinds } from '../resources/registry.js';
import { formatQuotaAmounts } from '../resources/quota/amounts.js';
import { hardOf, quotaUsage } from '../resources/quota/usage.js';
import type { ControllerFactory } from './framework/manager.js';
import { updateObjectStatus } from './framework/object-requests.js';
import { objectKey, splitKey, startReconciler } from './framework/reconciler.js';

export const resourceQuotaController: ControllerFactory = ({ client, informers }) => {
  const quotas = informers.informer('ResourceQuota');
  const counted = kinds.filter((k) => k.namespaced).map((kind) => ({ kind, informer: informers.informer(kind.kind) }));
  const synced = Promise.all([quotas, ...counted.map((c) => c.informer)].map((i) => i.waitForSync()));

  return startReconciler({
    name: 'resourcequota',
    primary: quotas,
    // Any change in a namespace may change what its quotas count.
    secondary: counted.map(({ informer }) => ({ informer, keys: (e) => quotas.cache.byIndex('namespace', e.object.metadata.namespace ?? '').map(objectKey) })),
    async reconcile(key) {
      await synced;
      const { namespace = '', name } = splitKey(key);
      const quota = quotas.cache.get(namespace, name);
      if (!quota) return;
      const objects = counted.flatMap(({ kind, informer }) => informer.cache.byIndex('namespace', namespace).map((object) => ({ kind, object })));
      const status = { hard: formatQuotaAmounts(hardOf(quota)), used: formatQuotaAmounts(quotaUsage(quota, objects)) };
      if (isDeepStrictEqual(quota.status ?? {}, status)) return;
      await updateObjectStatus(client, quota, status, quota.metadata.resourceVersion);
    },
  });
};
