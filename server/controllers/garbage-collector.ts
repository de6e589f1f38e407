/**
 * The garbage collector, as Kubernetes': generic over every kind of the registry (one informer per
 * kind), it follows metadata.ownerReferences.
 * - A dependent none of whose owners exists any more (deleted, or replaced by a new object with the
 *   same name and another uid) is deleted (background). Absence is confirmed with the API server
 *   before deleting: an owner's informer may lag behind its dependent's.
 * - A dependent with one live owner keeps living; references to owners that are gone are removed.
 * - Foreground: an owner with deletionTimestamp and the `foregroundDeletion` finalizer has its
 *   dependents deleted first (a dependent that has dependents itself, in foreground too); once no
 *   dependent with `blockOwnerDeletion: true` is left, the finalizer is removed and the owner goes.
 * - Orphan: an owner with deletionTimestamp and the `orphan` finalizer has its references removed
 *   from its dependents, then the finalizer removed.
 * Keys are `Kind/namespace/name`; nothing is processed before every informer has synced.
 */
import type { Subscription } from 'rxjs';
import type { Informer, InformerEvent } from '../client/informer.js';
import { createWorkQueue } from '../client/work-queue.js';
import { createLogger } from '../logging/logger.js';
import type { KObject, OwnerReference } from '../resources/kind.js';
import { kindByName, kinds } from '../resources/registry.js';
import { controllerMetrics } from './framework/controller-metrics.js';
import type { ControllerFactory } from './framework/manager.js';
import { deleteObject, getObject, isNotFound, patchObject, type PropagationPolicy } from './framework/object-requests.js';

const NAME = 'garbage-collector';
const log = createLogger('controller-manager');

export const FOREGROUND = 'foregroundDeletion';
export const ORPHAN = 'orphan';

type OwnerState = 'solid' | 'dangling' | 'waiting';

const itemKey = (o: KObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const hasFinalizer = (o: KObject, f: string) => (o.metadata.finalizers ?? []).includes(f);
const withoutFinalizer = (o: KObject, f: string) => {
  const rest = (o.metadata.finalizers ?? []).filter((x) => x !== f);
  return { metadata: { finalizers: rest.length ? rest : null } };
};
const refsPatch = (refs: OwnerReference[]) => ({ metadata: { ownerReferences: refs.length ? refs : null } });

export const garbageCollector: ControllerFactory = ({ client, informers }) => {
  const byKind = new Map<string, Informer>(kinds.map((k) => [k.kind, informers.informer(k.kind)]));
  const all = [...byKind.values()];
  const dependentsOf = (uid: string) => all.flatMap((i) => i.cache.byIndex('owner', uid));

  /** The key of the owner `ref` points at from `dependent` (owners live in the dependent's namespace, or are cluster-scoped). */
  function ownerKey(dependent: KObject, ref: OwnerReference): string | undefined {
    const kind = kindByName(ref.kind);
    if (!kind || (kind.namespaced && !dependent.metadata.namespace)) return undefined;
    return `${ref.kind}/${kind.namespaced ? dependent.metadata.namespace : ''}/${ref.name}`;
  }

  async function ownerState(dependent: KObject, ref: OwnerReference): Promise<OwnerState> {
    const kind = kindByName(ref.kind);
    // An owner Kubeql cannot look up (unknown kind, or a namespaced owner of a cluster-scoped object) is never taken for gone.
    if (!kind || (kind.namespaced && !dependent.metadata.namespace)) return 'solid';
    const namespace = kind.namespaced ? dependent.metadata.namespace : undefined;
    let owner = byKind.get(kind.kind)!.cache.get(namespace, ref.name);
    if (owner?.metadata.uid !== ref.uid) owner = await getObject(client, kind, namespace, ref.name);
    if (owner?.metadata.uid !== ref.uid) return 'dangling';
    return owner.metadata.deletionTimestamp && hasFinalizer(owner, FOREGROUND) ? 'waiting' : 'solid';
  }

  /** attemptToDeleteItem: a dependent whose owners are all gone or deleting in the foreground goes too. */
  async function collect(item: KObject): Promise<void> {
    const refs = item.metadata.ownerReferences ?? [];
    const states = await Promise.all(refs.map((ref) => ownerState(item, ref)));
    const solid = refs.filter((_, i) => states[i] === 'solid');
    const waiting = refs.filter((_, i) => states[i] === 'waiting');
    const rv = item.metadata.resourceVersion;
    if (solid.length > 0) {
      if (solid.length < refs.length) await patchObject(client, item, refsPatch(solid), rv);
      return;
    }
    const dependents = dependentsOf(item.metadata.uid);
    if (waiting.length > 0 && dependents.length > 0) {
      // It has dependents of its own: delete it in the foreground too, so the waiting owners wait
      // for the whole chain. If one of those dependents is itself deleting in the foreground, this
      // may be a cycle: stop blocking the waiting owners first (Kubernetes' cycle guard).
      let current = item;
      const cycle = dependents.some((d) => d.metadata.deletionTimestamp && hasFinalizer(d, FOREGROUND));
      if (cycle && waiting.some((r) => r.blockOwnerDeletion))
        current = await patchObject(client, item, refsPatch(refs.map((r) => (waiting.includes(r) ? { ...r, blockOwnerDeletion: false } : r))), rv);
      await deleteObject(client, current, { propagationPolicy: 'Foreground', resourceVersion: current.metadata.resourceVersion });
      return;
    }
    const policy: PropagationPolicy = hasFinalizer(item, ORPHAN) ? 'Orphan' : hasFinalizer(item, FOREGROUND) ? 'Foreground' : 'Background';
    await deleteObject(client, item, { propagationPolicy: policy, resourceVersion: rv });
  }

  /** The owner is deleting with the orphan policy: its dependents lose their reference to it, then it goes. */
  async function orphan(owner: KObject): Promise<void> {
    for (const dependent of dependentsOf(owner.metadata.uid)) {
      const refs = (dependent.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
      await patchObject(client, dependent, refsPatch(refs), dependent.metadata.resourceVersion).catch((e) => {
        if (!isNotFound(e)) throw e;
      });
    }
    await patchObject(client, owner, withoutFinalizer(owner, ORPHAN), owner.metadata.resourceVersion);
  }

  /** The owner is deleting in the foreground: its dependents go first; when none blocks it any more, it goes. */
  async function deleteDependentsFirst(owner: KObject): Promise<void> {
    const dependents = dependentsOf(owner.metadata.uid);
    const blocking = dependents.filter((d) => d.metadata.ownerReferences!.some((r) => r.uid === owner.metadata.uid && r.blockOwnerDeletion));
    if (blocking.length === 0) {
      await patchObject(client, owner, withoutFinalizer(owner, FOREGROUND), owner.metadata.resourceVersion);
      return;
    }
    // Each dependent, reconciled, finds this owner waiting and deletes itself; its DELETED event brings the owner back here.
    for (const d of dependents) queue.add(itemKey(d));
  }

  async function reconcile(key: string): Promise<void> {
    const [kind, namespace, ...rest] = key.split('/');
    const item = byKind.get(kind)?.cache.get(namespace || undefined, rest.join('/'));
    if (!item) return;
    if (item.metadata.deletionTimestamp) {
      if (hasFinalizer(item, ORPHAN)) return orphan(item);
      if (hasFinalizer(item, FOREGROUND)) return deleteDependentsFirst(item);
      return; // already going
    }
    if ((item.metadata.ownerReferences?.length ?? 0) > 0) await collect(item);
  }

  const queue = createWorkQueue(async (key) => {
    const started = performance.now();
    try {
      await reconcile(key);
      controllerMetrics.reconciled(NAME, (performance.now() - started) / 1000, false);
    } catch (error) {
      controllerMetrics.reconciled(NAME, (performance.now() - started) / 1000, true);
      log.debug({ controller: NAME, key, err: error }, 'reconcile failed; retrying with backoff');
      throw error;
    }
  });
  const untrackQueue = controllerMetrics.trackQueue(NAME, queue);

  /** An event touches the object itself, its owners (a foreground owner waits on it), and, when it goes or starts going, its dependents. */
  function keysOf(e: InformerEvent): string[] {
    const keys = new Set<string>([itemKey(e.object)]);
    for (const o of [e.object, e.old]) for (const ref of o?.metadata.ownerReferences ?? []) {
      const k = o && ownerKey(o, ref);
      if (k) keys.add(k);
    }
    const meta = e.object.metadata;
    const lifecycleChanged = e.type === 'DELETED' || !e.old || e.old.metadata.deletionTimestamp !== meta.deletionTimestamp || e.old.metadata.uid !== meta.uid;
    if (lifecycleChanged) for (const d of dependentsOf(meta.uid)) keys.add(itemKey(d));
    return [...keys];
  }

  let synced = false;
  const subscriptions: Subscription[] = all.map((informer) =>
    informer.events$.subscribe((e) => {
      if (synced) for (const k of keysOf(e)) queue.add(k);
    }),
  );
  void Promise.all(all.map((i) => i.waitForSync())).then(() => {
    synced = true;
    for (const informer of all) for (const o of informer.cache.list()) queue.add(itemKey(o));
  });

  return {
    name: NAME,
    enqueue: (key: string) => queue.add(key),
    stop(): void {
      subscriptions.forEach((s) => s.unsubscribe());
      queue.shutdown();
      untrackQueue();
    },
  };
};
