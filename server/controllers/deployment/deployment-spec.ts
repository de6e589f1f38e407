/** A Deployment's spec (replicas defaulted) and status, read by the controller, and the rolling-update fenceposts (maxSurge rounded up, maxUnavailable down). */
import type { Deployment, DeploymentCondition, DeploymentSpec as RegistryDeploymentSpec, DeploymentStatus } from '../../resources/objects.js';

export type { DeploymentCondition, DeploymentStatus };

/** The registry's DeploymentSpec, with `replicas` defaulted. */
export type DeploymentSpec = RegistryDeploymentSpec & { replicas: number };

export const deploymentSpec = (d: Deployment): DeploymentSpec => {
  return { ...d.spec, replicas: d.spec.replicas ?? 1 };
};

export const deploymentStatus = (d: Deployment): DeploymentStatus => d.status ?? {};

export const isRollingUpdate = (d: Deployment): boolean => (deploymentSpec(d).strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(value: number | string | undefined | null, total: number, roundUp: boolean): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  const percent = /^(\d+)%$/.exec(value);
  if (!percent) return /^\d+$/.test(value) ? Number(value) : 0;
  const scaled = (Number(percent[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** ResolveFenceposts: when both round to zero, maxUnavailable is 1 (surge might be blocked by quota). */
export function resolveFenceposts(d: Deployment): { maxSurge: number; maxUnavailable: number } {
  const spec = deploymentSpec(d);
  const rolling = spec.strategy?.rollingUpdate ?? {};
  const maxSurge = scaledValue(rolling.maxSurge, spec.replicas, true);
  let maxUnavailable = scaledValue(rolling.maxUnavailable, spec.replicas, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).maxSurge : 0;
}

export function maxUnavailable(d: Deployment): number {
  const replicas = deploymentSpec(d).replicas;
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(resolveFenceposts(d).maxUnavailable, replicas);
}

/** progressDeadlineSeconds is set and not "no deadline" (MaxInt32). */
export function hasProgressDeadline(d: Deployment): boolean {
  const deadline = deploymentSpec(d).progressDeadlineSeconds;
  return typeof deadline === 'number' && deadline !== 2 ** 31 - 1;
}
