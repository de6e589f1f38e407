/**
 * The Deployment controller, as Kubernetes' (pkg/controller/deployment): one ReplicaSet per pod
 * template (`<name>-<pod-template-hash>`), rolled out by RollingUpdate (maxSurge, maxUnavailable)
 * or Recreate, scaled proportionally, with revisions on the ReplicaSets (a rollback re-applies an
 * older template and reuses its ReplicaSet), revisionHistoryLimit, and status with the Progressing
 * and Available conditions. It adopts matching orphan ReplicaSets and releases those that stop
 * matching.
 */
import type { InformerEvent } from '../../client/informer.js';
import type { KObject } from '../../resources/kind.js';
import { kindByName } from '../../resources/registry.js';
import { claimObjects, controllerOf } from '../controller-ref.js';
import { labelMatcher } from '../label-selector-match.js';
import type { ControllerFactory } from '../manager.js';
import { getObject } from '../object-requests.js';
import { objectKey, splitKey, startReconciler } from '../reconciler.js';
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
  const deploymentKind = kindByName('Deployment')!;

  const resolve = (namespace: string | undefined, ref: ReturnType<typeof controllerOf>): KObject | undefined => {
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = deployments.cache.get(namespace, ref.name);
    return d?.metadata.uid === ref.uid ? d : undefined;
  };
  const selecting = (rs: KObject) =>
    deployments.cache.byIndex('namespace', rs.metadata.namespace ?? '').filter((d) => labelMatcher(deploymentSpec(d).selector)(rs.metadata.labels));

  /** addReplicaSet/updateReplicaSet/deleteReplicaSet: the Deployments a ReplicaSet change concerns. */
  function replicaSetKeys(e: InformerEvent): string[] {
    const rs = e.object;
    const keys = new Set<string>();
    const ref = controllerOf(rs);
    const oldRef = e.old && controllerOf(e.old);
    if (oldRef && oldRef.uid !== ref?.uid) {
      const old = resolve(rs.metadata.namespace, oldRef);
      if (old) keys.add(objectKey(old));
    }
    if (ref) {
      const d = resolve(rs.metadata.namespace, ref);
      if (d) keys.add(objectKey(d));
    } else if (e.type !== 'DELETED') {
      const labelsChanged = e.type === 'ADDED' || JSON.stringify(e.old?.metadata.labels ?? {}) !== JSON.stringify(rs.metadata.labels ?? {}) || Boolean(oldRef);
      if (labelsChanged) for (const d of selecting(rs)) keys.add(objectKey(d));
    }
    return [...keys];
  }

  /** deletePod: a Recreate rollout waits for the old pods to be gone. */
  function podKeys(e: InformerEvent): string[] {
    if (e.type !== 'DELETED') return [];
    const ref = controllerOf(e.object);
    if (ref?.kind !== 'ReplicaSet') return [];
    const rs = replicaSets.cache.get(e.object.metadata.namespace, ref.name);
    const d = rs && rs.metadata.uid === ref.uid ? resolve(rs.metadata.namespace, controllerOf(rs)) : undefined;
    return d && deploymentSpec(d).strategy?.type === 'Recreate' ? [objectKey(d)] : [];
  }

  async function sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = deployments.cache.get(namespace, name);
    if (!cached) return;
    const s = new DeploymentSync(ctx.client, cached, pods, (ms) => reconciler.queue.addAfter(key, ms), recorder);
    const selects = labelMatcher(deploymentSpec(cached).selector);
    const sel = deploymentSpec(cached).selector as { matchLabels?: object; matchExpressions?: unknown[] } | undefined;
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
      fetchOwner: () => getObject(ctx.client, deploymentKind, namespace, name),
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
      { informer: replicaSets, keys: replicaSetKeys },
      { informer: pods, keys: podKeys },
    ],
    reconcile: sync,
  });
  return reconciler;
};

