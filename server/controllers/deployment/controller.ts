/**
 * The Deployment controller, as Kubernetes' (pkg/controller/deployment): one ReplicaSet per pod
 * template (`<name>-<pod-template-hash>`), rolled out by RollingUpdate (maxSurge, maxUnavailable)
 * or Recreate, scaled proportionally, with revisions on the ReplicaSets (a rollback re-applies an
 * older template and reuses its ReplicaSet), revisionHistoryLimit, and status with the Progressing
 * and Available conditions. It adopts matching orphan ReplicaSets and releases those that stop
 * matching.
 */
import type { InformerEvent } from '../../client/informer.js';
import type { Deployment } from '../../resources/objects.js';
import { claimObjects, controllerOf } from '../framework/controller-ref.js';
import { labelMatcher } from '../framework/label-selector-match.js';
import type { ControllerFactory } from '../framework/manager.js';
import { getObject } from '../framework/object-requests.js';
import { ownerKeys } from '../framework/owner-keys.js';
import { objectKey, splitKey, startReconciler, watches, type ReconcileResult } from '../framework/reconciler.js';
import { deploymentSpec, deploymentStatus } from './deployment-spec.js';
import { DeploymentSync } from './deployment-sync.js';
import { getAllReplicaSetsAndSyncRevision } from './new-replica-set.js';
import { rolloutRecreate } from './recreate.js';
import { rolloutRolling } from './rolling.js';
import { isScalingEvent, syncScale } from './scaling.js';
import { checkPausedConditions, syncDeploymentStatus } from './status.js';

export const deploymentController: ControllerFactory = (ctx) => {
  const deployments = ctx.informers.informer('Deployment');
  const replicaSets = ctx.informers.informer('ReplicaSet');
  const pods = ctx.informers.informer('Pod');
  const recorder = ctx.events('deployment-controller');

  const owners = ownerKeys(deployments, 'Deployment', (d) => d.spec.selector);
  const resolve = owners.resolve;

  /** deletePod: a Recreate rollout waits for the old pods to be gone. */
  function podKeys(e: InformerEvent): string[] {
    if (e.type !== 'DELETED') return [];
    const ref = controllerOf(e.object);
    if (ref?.kind !== 'ReplicaSet') return [];
    const rs = replicaSets.cache.get(e.object.metadata.namespace, ref.name);
    const d = rs && rs.metadata.uid === ref.uid ? resolve(rs.metadata.namespace, controllerOf(rs)) : undefined;
    return d && deploymentSpec(d).strategy?.type === 'Recreate' ? [objectKey(d)] : [];
  }

  async function sync(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const cached = deployments.cache.get(namespace, name);
    if (!cached) return;
    const s = new DeploymentSync(ctx.client, cached, pods, recorder);
    await converge(s, cached, namespace, name);
    // A rollout waiting on its progress deadline is looked at again when it passes.
    return s.requeueAfterMs === undefined ? undefined : { requeueAfterMs: s.requeueAfterMs };
  }

  async function converge(s: DeploymentSync, cached: Deployment, namespace: string | undefined, name: string): Promise<void> {
    const selects = labelMatcher(deploymentSpec(cached).selector);
    const sel = cached.spec.selector;
    if (!sel || Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions?.length ?? 0) === 0) {
      // Selecting everything is refused; the spec is still observed.
      if ((deploymentStatus(cached).observedGeneration ?? 0) < cached.metadata.generation)
        await s.updateStatus({ ...deploymentStatus(cached), observedGeneration: cached.metadata.generation });
      return;
    }
    const rsList = await claimObjects({
      owner: cached,
      objects: replicaSets.cache.byIndex('namespace', namespace ?? ''),
      selects,
      client: ctx.client,
      fetchOwner: () => getObject(ctx.client, 'Deployment', namespace, name),
    });

    if (cached.metadata.deletionTimestamp) {
      const { newRS, oldRSs } = await getAllReplicaSetsAndSyncRevision(s, rsList, false);
      return syncDeploymentStatus(s, newRS ? [...oldRSs, newRS] : oldRSs, newRS);
    }
    await checkPausedConditions(s);
    if (s.spec.paused || (await isScalingEvent(s, rsList))) return syncScale(s, rsList);
    if (s.spec.strategy?.type === 'Recreate') return rolloutRecreate(s, rsList);
    return rolloutRolling(s, rsList);
  }

  const reconciler = startReconciler({
    name: 'deployment',
    primary: deployments,
    secondary: [
      // addReplicaSet/updateReplicaSet/deleteReplicaSet: the Deployments a ReplicaSet change concerns.
      watches(replicaSets, owners.keys),
      { informer: pods, keys: podKeys },
    ],
    reconcile: sync,
  });
  return reconciler;
};

