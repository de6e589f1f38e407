/**
 * kubectl's rollout status viewers (kubectl/pkg/polymorphichelpers/rollout_status.go) for the kinds
 * `kq rollout status` follows: each gives the message for one version of the object and whether
 * the rollout is done; a rollout that cannot be followed is an error.
 */
import type { KObject } from '../resources/kind.js';
import { isKind, type DaemonSet, type Deployment, type KindName, type ObjectOf, type StatefulSet } from '../resources/objects.js';
import { CliError } from './cli-error.js';

export interface RolloutState {
  message: string;
  done: boolean;
}


/** DeploymentStatusViewer. */
export function deploymentRollout(d: Deployment): RolloutState {
  const name = d.metadata.name;
  const s = d.status ?? {};
  if (d.metadata.generation > (s.observedGeneration ?? 0)) return { message: 'Waiting for deployment spec update to be observed...', done: false };
  if ((s.conditions ?? []).some((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded')) throw new CliError(`deployment "${name}" exceeded its progress deadline`);
  const [replicas, updated, total, available] = [d.spec.replicas ?? 1, s.updatedReplicas ?? 0, s.replicas ?? 0, s.availableReplicas ?? 0];
  if (updated < replicas) return { message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`, done: false };
  if (total > updated) return { message: `Waiting for deployment "${name}" rollout to finish: ${total - updated} old replicas are pending termination...`, done: false };
  if (available < updated) return { message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...`, done: false };
  return { message: `deployment "${name}" successfully rolled out`, done: true };
}

/** DaemonSetStatusViewer. */
export function daemonSetRollout(ds: DaemonSet): RolloutState {
  const name = ds.metadata.name;
  if (ds.spec.updateStrategy?.type !== 'RollingUpdate') throw new CliError('rollout status is only available for RollingUpdate strategy type');
  const s = ds.status ?? {};
  if (ds.metadata.generation > (s.observedGeneration ?? 0)) return { message: 'Waiting for daemon set spec update to be observed...', done: false };
  const [desired, updated, available] = [s.desiredNumberScheduled ?? 0, s.updatedNumberScheduled ?? 0, s.numberAvailable ?? 0];
  if (updated < desired) return { message: `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...`, done: false };
  if (available < desired) return { message: `Waiting for daemon set "${name}" rollout to finish: ${available} of ${desired} updated pods are available...`, done: false };
  return { message: `daemon set "${name}" successfully rolled out`, done: true };
}

/** StatefulSetStatusViewer. */
export function statefulSetRollout(sts: StatefulSet): RolloutState {
  const spec = sts.spec;
  if (spec.updateStrategy?.type !== 'RollingUpdate') throw new CliError('rollout status is only available for RollingUpdate strategy type');
  const s = sts.status ?? {};
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

/** A viewer of one kind, for the objects a watch of that kind delivers. */
function viewOf<K extends KindName>(kind: K, view: (o: ObjectOf<K>) => RolloutState): (o: KObject) => RolloutState {
  return (o) => {
    if (!isKind(o, kind)) throw new CliError(`expected a ${kind}, got a ${o.kind}`);
    return view(o);
  };
}

/** The viewer of a kind, with the word kubectl uses for it in messages; undefined for a kind without rollouts. */
export function rolloutViewer(kind: string): { view: (o: KObject) => RolloutState; noun: string } | undefined {
  if (kind === 'Deployment') return { view: viewOf('Deployment', deploymentRollout), noun: 'deployment' };
  if (kind === 'DaemonSet') return { view: viewOf('DaemonSet', daemonSetRollout), noun: 'daemon set' };
  if (kind === 'StatefulSet') return { view: viewOf('StatefulSet', statefulSetRollout), noun: 'statefulset' };
  return undefined;
}
