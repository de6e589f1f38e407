/**
 * What exists from the start, written by the server as events like any other: the namespaces
 * default, kube-system, kube-public and kube-node-lease, the `kubernetes` Service, then the default RBAC policy. Each object is created
 * only when missing, so a restart writes nothing and an operator's edits stay; the policy's roles and
 * bindings that lack what this version grants get it added (bootstrap-reconcile.ts), as Kubernetes does.
 */
import { kindByName } from '../resources/registry.js';
import { prepareObject } from '../resources/validate-object.js';
import type { Store } from '../store/types.js';
import { bootstrapPolicy } from './bootstrap-policy.js';
import { SERVER_WRITES } from './auth/escalation.js';
import { createInTx } from './verbs/create.js';
import { ensureKubernetesService } from './kubernetes-service.js';
import { reconciledPolicy } from './bootstrap-reconcile.js';
import { updateInTx } from './verbs/update.js';
import type { AllocationRanges } from './verbs/verb-context.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
export const SERVER_ACTOR = 'system:apiserver';

export async function bootstrap(store: Store, ranges: AllocationRanges): Promise<void> {
  const namespace = kindByName('Namespace')!;
  await store.write((tx) => {
    for (const name of SYSTEM_NAMESPACES) {
      if (tx.get('Namespace', '', name)) continue;
      const prepared = prepareObject(namespace, { metadata: { name } }, 'bootstrap');
      createInTx(tx, { actor: SERVER_ACTOR, warnings: [], ranges, admission: SERVER_WRITES }, namespace, prepared, { verb: 'create', path: 'bootstrap' });
    }
    ensureKubernetesService(tx, { actor: SERVER_ACTOR, warnings: [], ranges, admission: SERVER_WRITES }, ranges);
    for (const { kind: kindName, manifest } of bootstrapPolicy()) {
      const kind = kindByName(kindName)!;
      const prepared = prepareObject(kind, manifest, 'bootstrap');
      const { namespace: ns = '', name } = prepared.object.metadata;
      const existing = tx.get(kind.kind, kind.namespaced ? ns : '', name);
      if (existing) {
        const reconciled = reconciledPolicy(existing, manifest as Parameters<typeof reconciledPolicy>[1]);
        if (reconciled) updateInTx(tx, { actor: SERVER_ACTOR, warnings: [], ranges, admission: SERVER_WRITES }, kind, existing, prepareObject(kind, reconciled, 'bootstrap'), { verb: 'update', path: 'bootstrap' });
        continue;
      }
      createInTx(tx, { actor: SERVER_ACTOR, warnings: [], ranges, admission: SERVER_WRITES }, kind, prepared, { verb: 'create', path: 'bootstrap' });
    }
  });
}
