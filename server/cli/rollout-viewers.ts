/**
 * kubectl's rollout status viewers (kubectl/pkg/polymorphichelpers/rollout_status.go) for the kinds
 * `kq rollout status` follows: each gives the message for one version of the object and whether
 * the rollout is done; a rollout that cannot be followed is an error.
 */
import type { KObject } from '../resources/kind.js';
import { CliError } from './cli-error.js';

export interface RolloutState {
  message: string;
  done: boolean;
}

type Obj = Record<string, any>;
const specOf = (o: KObject): Obj => (o.spec as Obj | undefined) ?? {};
const statusOf = (o: KObject): Obj => (o.status as Obj | undefined) ?? {};

/** DeploymentStatusViewer. */
export function deploymentRollout(d: KObject): RolloutState {
  const name = d.metadata.name;
  const s = statusOf(d);
  if (d.metadata.generation > (s.observedGeneration ?? 0)) return { message: 'Waiting for deployment spec update to be observed...', done: false };
  if ((s.conditions ?? []).some((c: Obj) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded')) throw new CliError(`deployment "${name}" exceeded its progress deadline`);
  const [replicas, updated, total, available] = [specOf(d).replicas ?? 1, s.updatedReplicas ?? 0, s.replicas ?? 0, s.availableReplicas ?? 0];
  if (updated < replicas) return { message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`, done: false };
  if (total > updated) return { message: `Waiting for deployment "${name}" rollout to finish: ${total - updated} old replicas are pending termination...`, done: false };
  if (available < updated) return { message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...`, done: false };
  return { message: `deployment "${name}" successfully rolled out`, done: true };
}

/** DaemonSetStatusViewer. */
export function daemonSetRollout(ds: KObject): RolloutState {
  const name = ds.metadata.name;
  if (specOf(ds).updateStrategy?.type !== 'RollingUpdate') throw new CliError('rollout status is only available for RollingUpdate strategy type');
  const s = statusOf(ds);
  if (ds.metadata.generation > (s.observedGeneration ?? 0)) return { message: 'Waiting for daemon set spec update to be observed...', done: false };
  const [desired, updated, available] = [s.desiredNumberScheduled ?? 0, s.updatedNumberScheduled ?? 0, s.numberAvailable ?? 0];
  if (updated < desired) return { message: `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...`, done: false };
  if (available < desired) return { message: `Waiting for daemon set "${name}" rollout to finish: ${available} of ${desired} updated pods are available...`, done: false };
  return { message: `daemon set "${name}" successfully rolled out`, done: true };
}

/** StatefulSetStatusViewer. */
export function statefulSetRollout(sts: KObject): RolloutState {
  const spec = specOf(sts);
  if (spec.updateStrategy?.type !== 'RollingUpdate') throw new CliError('rollout status is only available for RollingUpdate strategy type');
  const s = statusOf(sts);
  if (!s.observedGeneration || sts.metadata.generation > s.observedGeneration) return { message: 'Waiting for statefulset spec update to be observed...', done: false };
  const replicas = spec.replicas ?? 1;
  const ready = s.readyReplicas ?? 0;
  if (ready < replicas) return { message: `Waiting for ${replicas - ready} pods to be ready...`, done: false };
  const partition = spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  const updated = s.updatedReplicas ?? 0;
  if (partition > 0) {
    if (updated < replicas - partition) return { message: `Waiting for partitioned roll out to finish: ${updated} out of ${replicas - partition} new pods have been updated...`, done: false };
    return { message: `partitioned roll out complete: ${updated} new pods have been updated...`, done: true };
  }
  if (s.updateRevision !== s.currentRevision) return { message: `waiting for statefulset rolling update to complete ${updated} pods at revision ${s.updateRevision}...`, done: false };
  return { message: `statefulset rolling update complete ${s.currentReplicas ?? 0} pods at revision ${s.currentRevision}...`, done: true };
}

/** The viewer of a kind, with the word kubectl uses for it in messages; undefined for a kind without rollouts. */
export function rolloutViewer(kind: string): { view: (o: KObject) => RolloutState; noun: string } | undefined {
  if (kind === 'Deployment') return { view: deploymentRollout, noun: 'deployment' };
  if (kind === 'DaemonSet') return { view: daemonSetRollout, noun: 'daemon set' };
  if (kind === 'StatefulSet') return { view: statefulSetRollout, noun: 'statefulset' };
  return undefined;
}
