/**
 * One sync of one Deployment: the Deployment as last written (each write answers the new version,
 * so the next write's resourceVersion precondition is right), and the writes the strategies make.
 * Every write is conditional on the version read: a decision made on a stale cache is refused
 * (CONFLICT) and the key retried, never applied.
 */
import type { KubeqlClient } from '../../client/client.js';
import type { EventRecorder } from '../../client/event-recorder.js';
import type { Informer } from '../../client/informer.js';
import type { Deployment, Pod, ReplicaSet } from '../../resources/objects.js';
import { deleteObject, patchObject, updateObjectStatus } from '../framework/object-requests.js';
import { deploymentSpec, maxSurge, type DeploymentStatus } from './deployment-spec.js';
import { REVISION, setReplicasAnnotations } from './revisions.js';
import { specReplicas } from './replica-set-counts.js';

export class DeploymentSync {
  /** ReplicaSets written in this sync, by uid: later steps start from what the server answered. */
  private readonly written = new Map<string, ReplicaSet>();

  constructor(
    readonly client: KubeqlClient,
    /** The Deployment; replaced by the server's answer after each write. */
    public d: Deployment,
    readonly pods: Informer<Pod>,
    /** ScalingReplicaSet Events on the Deployment. */
    readonly recorder?: EventRecorder,
  ) {}

  /** When to look at this Deployment again (the soonest asked for), answered as the reconcile's result. */
  requeueAfterMs: number | undefined;

  /** Look at this Deployment again after `ms` (progress deadline checks). */
  requeueAfter(ms: number): void {
    this.requeueAfterMs = Math.min(this.requeueAfterMs ?? Infinity, ms);
  }

  get spec() {
    return deploymentSpec(this.d);
  }

  async updateStatus(status: DeploymentStatus): Promise<void> {
    this.d = await updateObjectStatus(this.client, this.d, status, this.d.metadata.resourceVersion);
  }

  /** SetDeploymentRevision: the Deployment's own revision annotation follows its new ReplicaSet's. */
  async setRevision(revision: string | undefined): Promise<void> {
    if (revision === undefined || this.d.metadata.annotations?.[REVISION] === revision) return;
    this.d = await patchObject(this.client, this.d, { metadata: { annotations: { [REVISION]: revision } } }, this.d.metadata.resourceVersion);
  }

  /** `rsList` with the versions this sync wrote in place of the cached ones. */
  current(rsList: ReplicaSet[]): ReplicaSet[] {
    return rsList.map((rs) => this.written.get(rs.metadata.uid) ?? rs);
  }

  /** A merge patch of a ReplicaSet, conditional on the version read. */
  async patchReplicaSet(rs: ReplicaSet, patch: Record<string, unknown>): Promise<ReplicaSet> {
    const updated = await patchObject(this.client, rs, patch, rs.metadata.resourceVersion);
    this.written.set(updated.metadata.uid, updated);
    return updated;
  }

  /** scaleReplicaSet: sets spec.replicas and the desired/max-replicas annotations; `scaled` when the size changed. */
  async scaleReplicaSet(rs: ReplicaSet, newScale: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const sizeChanges = specReplicas(rs) !== newScale;
    const annotations = { ...(rs.metadata.annotations ?? {}) };
    const annotationsChange = setReplicasAnnotations(annotations, this.spec.replicas, this.spec.replicas + maxSurge(this.d));
    if (!sizeChanges && !annotationsChange) return { scaled: false, rs };
    const updated = await this.patchReplicaSet(rs, { metadata: { annotations }, spec: { replicas: newScale } });
    if (sizeChanges) {
      const was = specReplicas(rs);
      this.recorder?.event(this.d, 'Normal', 'ScalingReplicaSet', `Scaled ${newScale > was ? 'up' : 'down'} replica set ${rs.metadata.name} from ${was} to ${newScale}`);
    }
    return { scaled: sizeChanges, rs: updated };
  }

  /** scaleReplicaSetAndRecordEvent: nothing to do when the size is already right. */
  async scaleIfNeeded(rs: ReplicaSet, newScale: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    if (specReplicas(rs) === newScale) return { scaled: false, rs };
    return this.scaleReplicaSet(rs, newScale);
  }

  async deleteReplicaSet(rs: ReplicaSet): Promise<void> {
    await deleteObject(this.client, rs, { resourceVersion: rs.metadata.resourceVersion });
  }
}
