/**
 * The namespace controller: a Namespace being deleted (Terminating, DESIGN §4 delete) has every
 * namespaced object in it deleted, every kind of the registry; when none is left (confirmed with
 * the API server, not only the caches), `kubernetes` is removed from its spec.finalizers and the
 * namespace goes.
 */
import { kinds } from '../resources/registry.js';
import type { KObject } from '../resources/kind.js';
import { objectClientOf } from '../client/object-client.js';
import type { KindName, Namespace } from '../resources/objects.js';
import type { ControllerFactory } from './framework/manager.js';
import { deleteObject, patchObject } from './framework/object-requests.js';
import { startReconciler } from './framework/reconciler.js';

export const NAMESPACE_FINALIZER = 'kubernetes';
/** Deletes in flight at once while emptying a namespace. */
const PARALLEL_DELETES = 16;

const namespaced = kinds.filter((k) => k.namespaced);
const finalizersOf = (ns: Namespace) => ns.spec?.finalizers ?? [];

export const namespaceController: ControllerFactory = ({ client, informers }) => {
  const namespaces = informers.informer('Namespace');
  const contents = namespaced.map((k) => informers.informer(k.kind));
  const synced = Promise.all([namespaces, ...contents].map((i) => i.waitForSync()));
  const terminating = (name: string) => Boolean(namespaces.cache.get(undefined, name)?.metadata.deletionTimestamp);

  async function deleteAll(objects: KObject[]): Promise<void> {
    const pending = objects.filter((o) => !o.metadata.deletionTimestamp);
    for (let i = 0; i < pending.length; i += PARALLEL_DELETES) await Promise.all(pending.slice(i, i + PARALLEL_DELETES).map((o) => deleteObject(client, o)));
  }

  return startReconciler({
    name: 'namespace',
    primary: namespaces,
    // A change to an object in a terminating namespace (above all, its removal) brings the namespace back.
    secondary: contents.map((informer) => ({
      informer,
      keys: (e) => {
        const ns = e.object.metadata.namespace;
        return ns && terminating(ns) ? [ns] : [];
      },
    })),
    async reconcile(name) {
      await synced;
      const ns = namespaces.cache.get(undefined, name);
      if (!ns?.metadata.deletionTimestamp || !finalizersOf(ns).includes(NAMESPACE_FINALIZER)) return;
      const left = contents.flatMap((i) => i.cache.byIndex('namespace', name));
      if (left.length > 0) return deleteAll(left); // their DELETED events bring the namespace back here
      // The server, not the caches, has the last word: one object of any namespaced kind is enough to wait.
      const objects = objectClientOf(client);
      const live = await Promise.all(namespaced.map((k) => objects.list(k.kind as KindName, { namespace: name, limit: 1 })));
      if (live.some((l) => l.items.length > 0)) throw new Error(`namespace ${name} is not empty yet (the caches lag): retrying`);
      const rest = finalizersOf(ns).filter((f) => f !== NAMESPACE_FINALIZER);
      await patchObject(client, ns, { spec: { finalizers: rest } }, ns.metadata.resourceVersion);
    },
  });
};
