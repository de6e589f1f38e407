/** One informer per kind and selector, shared by every controller in a process. */
import type { KObject, KindName, ObjectOf } from '../resources/objects.js';
import type { KubeqlClient } from './client.js';
import { createInformer, type Informer, type InformerOptions } from './informer.js';
import { createObjectClient, type ObjectClient } from './object-client.js';

export interface SharedInformers {
  informer<K extends KindName>(kind: K, options?: InformerOptions): Informer<ObjectOf<K>>;
  /** A kind named at run time (code that works across the registry's kinds): untyped objects. */
  informer(kind: string, options?: InformerOptions): Informer<KObject>;
  start(): void;
  waitForSync(): Promise<void>;
  stop(): void;
}

export function createSharedInformers(client: KubeqlClient | ObjectClient): SharedInformers {
  const objects = 'graphql' in client ? client : createObjectClient(client);
  const informers = new Map<string, Informer<any>>();
  return {
    informer(kind: string, options: InformerOptions = {}): Informer<any> {
      const key = JSON.stringify([kind, options.namespace ?? '', options.labelSelector ?? '', options.fieldSelector ?? '']);
      let informer = informers.get(key);
      if (!informer) informers.set(key, (informer = createInformer(objects, kind as KindName, options)));
      return informer;
    },
    start(): void {
      for (const informer of informers.values()) informer.start();
    },
    async waitForSync(): Promise<void> {
      await Promise.all([...informers.values()].map((i) => i.waitForSync()));
    },
    stop(): void {
      for (const informer of informers.values()) informer.stop();
    },
  };
}

