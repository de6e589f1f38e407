/** One informer per kind and selector, shared by every controller in a process. */
import type { KObject, KindName, ObjectOf } from '../resources/objects.js';
import type { KubeqlClient } from './client.js';
import { createInformer, type Informer, type InformerOptions } from './informer.js';
import { objectClientOf, type ObjectClient } from './object-client.js';

export interface SharedInformers {
  informer<K extends KindName>(kind: K, options?: InformerOptions): Informer<ObjectOf<K>>;
  /** A kind named at run time (code that works across the registry's kinds): untyped objects. */
  informer(kind: string, options?: InformerOptions): Informer<KObject>;
  start(): void;
  waitForSync(): Promise<void>;
  stop(): void;
}

export interface SharedInformersOptions {
  /**
   * A transform for every informer of a kind (client-go's SetTransform on the shared informer):
   * what a process whose users read only part of a kind's objects sets once, for all of them (the
   * controller-manager keeps Events as metadata). An informer asked with a transform of its own
   * uses that one instead.
   */
  transforms?: Partial<Record<string, (object: KObject) => KObject>>;
}

export function createSharedInformers(client: KubeqlClient | ObjectClient, options: SharedInformersOptions = {}): SharedInformers {
  const objects = objectClientOf(client);
  const informers = new Map<string, { informer: Informer<any>; transform?: InformerOptions['transform'] }>();
  return {
    informer(kind: string, informerOptions: InformerOptions = {}): Informer<any> {
      const key = JSON.stringify([kind, informerOptions.namespace ?? '', informerOptions.labelSelector ?? '', informerOptions.fieldSelector ?? '']);
      const transform = informerOptions.transform ?? options.transforms?.[kind];
      const entry = informers.get(key);
      if (entry) {
        // Two users of one informer wanting different objects would each get the other's: a bug to stop at once.
        if (entry.transform !== transform) throw new Error(`the shared ${kind} informer ${key} is already in use with another transform`);
        return entry.informer;
      }
      const informer = createInformer(objects, kind as KindName, { ...informerOptions, transform });
      informers.set(key, { informer, transform });
      return informer;
    },
    start(): void {
      for (const { informer } of informers.values()) informer.start();
    },
    async waitForSync(): Promise<void> {
      await Promise.all([...informers.values()].map(({ informer }) => informer.waitForSync()));
    },
    stop(): void {
      for (const { informer } of informers.values()) informer.stop();
    },
  };
}
