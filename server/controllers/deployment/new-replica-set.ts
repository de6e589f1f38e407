/**
 * getAllReplicaSetsAndSyncRevision: splits a Deployment's ReplicaSets into the new one (whose
 * template equals the Deployment's, ignoring the hash label; the oldest if several) and the old
 * ones; keeps the new one's annotations and revision (max old revision + 1: a ReplicaSet reused by
 * a rollback gets the next revision) and minReadySeconds in step; creates it, named
 * `<deployment>-<pod-template-hash>`, when asked and missing.
 */
import type { Deployment, ReplicaSet } from '../../resources/objects.js';
import { controllerOf, controllerRefTo } from '../framework/controller-ref.js';
import { createObject, hasCode } from '../create-object.js';
import { getObject } from '../framework/object-requests.js';
import { deploymentStatus, hasProgressDeadline, maxSurge } from './deployment-spec.js';
import type { DeploymentSync } from './deployment-sync.js';
import { byCreation, replicaCount, specReplicas } from './replica-set-counts.js';
import { REVISION, maxRevision, newReplicaSetAnnotations } from './revisions.js';
import { REASON, getCondition, newCondition, setCondition } from './status.js';
import { HASH_LABEL, computeHash, equalIgnoreHash } from './template-hash.js';

export function findNewReplicaSet(d: Deployment, rsList: ReplicaSet[]): ReplicaSet | undefined {
  return [...rsList].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/** NewRSNewReplicas: the size the new ReplicaSet may have now (RollingUpdate: within maxSurge; Recreate: all). */
export function newRSNewReplicas(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet, desired: number, rolling: boolean): number {
  if (!rolling) return desired;
  const maxTotal = desired + maxSurge(d);
  const current = replicaCount(allRSs);
  if (current >= maxTotal) return specReplicas(newRS);
  return specReplicas(newRS) + Math.min(maxTotal - current, desired - specReplicas(newRS));
}

export interface ReplicaSetSplit {
  newRS?: ReplicaSet;
  oldRSs: ReplicaSet[];
}

export async function getAllReplicaSetsAndSyncRevision(s: DeploymentSync, cached: ReplicaSet[], createIfMissing: boolean): Promise<ReplicaSetSplit> {
  const rsList = s.current(cached);
  const existing = findNewReplicaSet(s.d, rsList);
  const oldRSs = rsList.filter((rs) => rs.metadata.uid !== existing?.metadata.uid);
  const newRevision = maxRevision(oldRSs) + 1;
  if (existing) return { newRS: await syncExistingNewReplicaSet(s, existing, newRevision), oldRSs };
  if (!createIfMissing) return { oldRSs };
  return { newRS: await createNewReplicaSet(s, oldRSs, newRevision), oldRSs };
}

async function syncExistingNewReplicaSet(s: DeploymentSync, rs: ReplicaSet, newRevision: number): Promise<ReplicaSet> {
  const { annotations, changed } = newReplicaSetAnnotations(s.d, rs, newRevision, true, s.spec.replicas, s.spec.replicas + maxSurge(s.d));
  const minReadySeconds = s.spec.minReadySeconds ?? 0;
  const minReadyChanged = (rs.spec.minReadySeconds ?? 0) !== minReadySeconds;
  if (changed || minReadyChanged) return s.patchReplicaSet(rs, { metadata: { annotations }, ...(minReadyChanged ? { spec: { minReadySeconds } } : {}) });
  await s.setRevision(rs.metadata.annotations?.[REVISION]);
  const status = structuredClone(deploymentStatus(s.d));
  if (hasProgressDeadline(s.d) && !getCondition(status, 'Progressing')) {
    setCondition(status, newCondition('Progressing', 'True', REASON.foundNewRS, `Found new replica set "${rs.metadata.name}"`));
    await s.updateStatus(status);
  }
  return rs;
}

async function createNewReplicaSet(s: DeploymentSync, oldRSs: ReplicaSet[], newRevision: number): Promise<ReplicaSet> {
  const d = s.d;
  const spec = s.spec;
  const template = structuredClone(spec.template ?? {});
  const collisionCount = deploymentStatus(d).collisionCount;
  const hash = computeHash(template, collisionCount);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
  const selector = structuredClone(spec.selector);
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
  const draft: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: template.metadata.labels,
      ownerReferences: [controllerRefTo(d)],
    } as ReplicaSet['metadata'],
    spec: { replicas: 0, minReadySeconds: spec.minReadySeconds ?? 0, selector, template },
  };
  const replicas = newRSNewReplicas(d, [...oldRSs, draft], draft, spec.replicas, (spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate');
  draft.spec.replicas = replicas;
  draft.metadata.annotations = newReplicaSetAnnotations(d, draft, newRevision, false, spec.replicas, spec.replicas + maxSurge(d)).annotations;

  let created: ReplicaSet;
  let alreadyExisted = false;
  try {
    created = await createObject(s.client, 'ReplicaSet', { metadata: draft.metadata, spec: draft.spec });
  } catch (e) {
    if (!hasCode(e, 'ALREADY_EXISTS')) throw e;
    // Ours from an earlier try (the name is deterministic), or a hash collision.
    const found = await getObject(s.client, 'ReplicaSet', d.metadata.namespace, draft.metadata.name);
    if (found && controllerOf(found)?.uid === d.metadata.uid && equalIgnoreHash(found.spec.template, spec.template)) {
      created = found;
      alreadyExisted = true;
    } else {
      const status = { ...structuredClone(deploymentStatus(d)), collisionCount: (collisionCount ?? 0) + 1 };
      await s.updateStatus(status);
      throw new Error(`hash collision for ReplicaSet ${draft.metadata.name}: collisionCount is now ${status.collisionCount}`);
    }
  }
  if (!alreadyExisted && replicas > 0) s.recorder?.event(s.d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`);
  await s.setRevision(String(newRevision));
  if (!alreadyExisted && hasProgressDeadline(s.d)) {
    const status = structuredClone(deploymentStatus(s.d));
    setCondition(status, newCondition('Progressing', 'True', REASON.newRSCreated, `Created new replica set "${created.metadata.name}"`));
    await s.updateStatus(status);
  }
  return created;
}
