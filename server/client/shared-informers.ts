/** One informer per kind and selector, shared by every controller in a process. */
import type { KubeqlClient } from './client.js';
import { createInformer, type Informer, type InformerOptions } from './informer.js';

export function createSharedInformers(client: KubeqlClient) {
  const informers = new Map<string, Informer>();
  return {
    informer(kind: string, options: InformerOptions = {}): Informer {
      const key = JSON.stringify([kind, options.namespace ?? '', options.labelSelector ?? '', options.fieldSelector ?? '']);
      let informer = informers.get(key);
      if (!informer) informers.set(key, (informer = createInformer(client, kind, options)));
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

export type SharedInformers = ReturnType<typeof createSharedInformers>;
