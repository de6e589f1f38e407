/**
 * The shape of every controller, as controller-runtime's: a reconcile(key) that reads desired and
 * actual state from informer caches and converges, driven by a work queue fed from informer
 * events. Level-triggered: after the caches sync, every primary object is reconciled once, so a
 * restart after a crash, or missed events, converge the same way.
 */
import type { Informer, InformerEvent } from '../../client/informer.js';
import { createWorkQueue, type WorkQueueOptions } from '../../client/work-queue.js';
import { createLogger } from '../../logging/logger.js';
import type { KObject } from '../../resources/kind.js';
import { controllerMetrics } from './controller-metrics.js';

const log = createLogger('controller-manager');

/** Another informer, mapping each of its changes to the primary keys it affects (owner, selector, ...). */
export interface Secondary {
  informer: Informer<any>;
  keys: (event: InformerEvent<any>) => string[];
}

/** A secondary informer with its mapping typed by the informer's kind (controller-runtime's Watches). */
export function watches<T extends KObject>(informer: Informer<T>, keys: (event: InformerEvent<T>) => string[]): Secondary {
  return { informer, keys };
}

/** What a reconcile asks for beyond success (controller-runtime's reconcile.Result): look at the key again after `requeueAfterMs`. */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

/** The soonest of several looks-again a reconcile wants (undefined ones ignored; negative ones mean now). */
export function requeueAfter(...delaysMs: Array<number | undefined>): ReconcileResult | undefined {
  const wanted = delaysMs.filter((ms): ms is number => ms !== undefined && Number.isFinite(ms));
  return wanted.length ? { requeueAfterMs: Math.max(0, Math.min(...wanted)) } : undefined;
}

export interface ReconcilerSpec {
  name: string;
  /** The informer whose objects are the keys (`namespace/name`). */
  primary: Informer<any>;
  secondary?: Secondary[];
  /** Converge `key`; a thrown error retries it with backoff, a result may ask for a later look. */
  reconcile(key: string): Promise<ReconcileResult | void>;
  queue?: WorkQueueOptions;
  /** Re-reconcile every primary object this often (default: never). */
  resyncMs?: number;
}

export const objectKey = (o: KObject) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export function startReconciler(spec: ReconcilerSpec) {
  const all = [spec.primary, ...(spec.secondary ?? []).map((s) => s.informer)];
  // Nothing is reconciled from a half-filled cache: keys queued before every informer synced wait.
  const synced = Promise.all(all.map((i) => i.waitForSync()));
  const queue = createWorkQueue(async (key) => {
    await synced;
    const started = performance.now();
    try {
      const result = await spec.reconcile(key);
      controllerMetrics.reconciled(spec.name, (performance.now() - started) / 1000, false);
      if (result?.requeueAfterMs !== undefined) queue.addAfter(key, Math.max(0, result.requeueAfterMs));
    } catch (error) {
      controllerMetrics.reconciled(spec.name, (performance.now() - started) / 1000, true);
      log.debug({ controller: spec.name, key, err: error }, 'reconcile failed; retrying with backoff');
      throw error;
    }
  }, spec.queue);
  const untrackQueue = controllerMetrics.trackQueue(spec.name, queue);
  const subscriptions = [spec.primary.events$.subscribe((e) => queue.add(objectKey(e.object)))];
  for (const s of spec.secondary ?? []) subscriptions.push(s.informer.events$.subscribe((e) => s.keys(e).forEach((k) => queue.add(k))));
  void synced.then(() => spec.primary.cache.keys().forEach((k) => queue.add(k)));
  const resync = spec.resyncMs ? setInterval(() => spec.primary.cache.keys().forEach((k) => queue.add(k)), spec.resyncMs) : undefined;
  resync?.unref();
  return {
    name: spec.name,
    /**
     * Looks at `key` again (de-duplicated with any pending look): the one way for code outside
     * reconcile (a periodic pass over the cache) to ask for it. A later look is the reconcile's
     * own to ask for, as its result (`requeueAfterMs`).
     */
    enqueue(key: string): void {
      queue.add(key);
    },
    stop(): void {
      clearInterval(resync);
      subscriptions.forEach((s) => s.unsubscribe());
      queue.shutdown();
      untrackQueue();
    },
  };
}

export type RunningReconciler = ReturnType<typeof startReconciler>;
