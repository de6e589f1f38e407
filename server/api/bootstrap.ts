/** The namespaces that exist from the start (default, kube-system, kube-node-lease), written by the server as events. */
import { kindByName } from '../resources/registry.js';
import { prepareObject } from '../resources/validate-object.js';
import type { Store } from '../store/types.js';
import { createInTx } from './verbs/create.js';
import type { AllocationRanges } from './verbs/verb-context.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-node-lease'];
export const SERVER_ACTOR = 'system:apiserver';

export async function bootstrap(store: Store, ranges: AllocationRanges): Promise<void> {
  const namespace = kindByName('Namespace')!;
  await store.write((tx) => {
    for (const name of SYSTEM_NAMESPACES) {
      if (tx.get('Namespace', '', name)) continue;
      const prepared = prepareObject(namespace, { metadata: { name } }, 'bootstrap');
      createInTx(tx, { actor: SERVER_ACTOR, warnings: [], ranges }, namespace, prepared, { verb: 'create', path: 'bootstrap' });
    }
  });
}
