/** Deployment (apps/v1): rolls a pod template out through ReplicaSets, by the RollingUpdate or Recreate strategy. */
import type { KindDef } from '../kind.js';
import { arr, bool, dateTime, int, intOrString, kindShape, obj, req, str, type Infer } from '../shape.js';
import type { FieldError } from '../validation/field-error.js';
import { dns1123SubdomainErrors, regexError } from '../validation/names.js';
import {
  LabelSelector,
  PodTemplateSpec,
  conditionStatus,
  defaultTemplate,
  nonNegative,
  validateSelectorAndTemplate,
  validateSelectorUpdate,
} from './workload-shapes.js';

type DeploymentSpec = Deployment['spec'];

const PERCENT_FMT = '[0-9]+%';
const PERCENT = new RegExp(`^${PERCENT_FMT}$`);
const invalid = (value: unknown, message: string) => `Invalid value: ${JSON.stringify(value)}: ${message}`;

/** getIntOrPercentValue: a percentage's number, an int, or Go's IntValue() of any other string (0 unless it is digits). */
export function intOrPercentValue(v: number | string | undefined): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return 0;
  if (PERCENT.test(v)) return Number(v.slice(0, -1));
  return /^[+-]?\d+$/.test(v) ? Number(v) : 0;
}

/** ValidatePositiveIntOrPercent: a non-negative int, or a percent string. */
export function intOrPercentErrors(v: number | string | undefined, path: string): FieldError[] {
  if (typeof v === 'string' && !PERCENT.test(v))
    return [{ path, message: invalid(v, regexError("a valid percent string must be a numeric string followed by an ending '%'", PERCENT_FMT, '1%', '93%')) }];
  if (typeof v === 'number' && v < 0) return [{ path, message: invalid(v, 'must be greater than or equal to 0') }];
  return [];
}

/** ValidateDeploymentStrategy and ValidateRollingUpdateDeployment. */
function validateStrategy(spec: DeploymentSpec): FieldError[] {
  const strategy = spec.strategy ?? {};
  const rolling = strategy.rollingUpdate;
  if (strategy.type === 'Recreate')
    return rolling ? [{ path: 'spec.strategy.rollingUpdate', message: "Forbidden: may not be specified when strategy `type` is 'Recreate'" }] : [];
  if (!rolling) return [{ path: 'spec.strategy.rollingUpdate', message: 'Required value: this should be defaulted and never be nil' }];
  const errors = [
    ...intOrPercentErrors(rolling.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable'),
    ...intOrPercentErrors(rolling.maxSurge, 'spec.strategy.rollingUpdate.maxSurge'),
  ];
  if (intOrPercentValue(rolling.maxUnavailable) === 0 && intOrPercentValue(rolling.maxSurge) === 0)
    errors.push({ path: 'spec.strategy.rollingUpdate.maxUnavailable', message: invalid(rolling.maxUnavailable, 'may not be 0 when `maxSurge` is 0') });
  if (typeof rolling.maxUnavailable === 'string' && PERCENT.test(rolling.maxUnavailable) && intOrPercentValue(rolling.maxUnavailable) > 100)
    errors.push({ path: 'spec.strategy.rollingUpdate.maxUnavailable', message: invalid(rolling.maxUnavailable, 'must not be greater than 100%') });
  return errors;
}

function validateDeploymentSpec(spec: DeploymentSpec): FieldError[] {
  const errors = [...validateSelectorAndTemplate(spec), ...validateStrategy(spec)];
  const deadline = spec.progressDeadlineSeconds;
  if (typeof deadline === 'number') {
    if (deadline <= 0) errors.push({ path: 'spec.progressDeadlineSeconds', message: invalid(deadline, 'must be greater than zero') });
    if (deadline <= (spec.minReadySeconds ?? 0)) errors.push({ path: 'spec.progressDeadlineSeconds', message: invalid(deadline, 'must be greater than minReadySeconds') });
  }
  return errors;
}

export const DeploymentShape = kindShape('Deployment', 'apps/v1', {
  spec: req(
    obj('DeploymentSpec', {
      replicas: nonNegative,
      selector: req(LabelSelector),
      template: req(PodTemplateSpec),
      strategy: obj('DeploymentStrategy', {
        type: str(['Recreate', 'RollingUpdate']),
        rollingUpdate: obj('RollingUpdateDeployment', { maxUnavailable: intOrString, maxSurge: intOrString }),
      }),
      minReadySeconds: nonNegative,
      revisionHistoryLimit: nonNegative,
      progressDeadlineSeconds: int(),
      paused: bool,
    }),
  ),
}, obj('DeploymentStatus', {
  observedGeneration: int(0),
  replicas: nonNegative,
  updatedReplicas: nonNegative,
  readyReplicas: nonNegative,
  availableReplicas: nonNegative,
  unavailableReplicas: nonNegative,
  conditions: arr(
    obj('DeploymentCondition', {
      type: req(str()),
      status: req(conditionStatus),
      reason: str(),
      message: str(),
      lastUpdateTime: dateTime,
      lastTransitionTime: dateTime,
    }),
  ),
  collisionCount: int(0),
}));
/** A Deployment, as the API stores and returns it. */
export type Deployment = Infer<typeof DeploymentShape>;

export const deployment: KindDef<Deployment> = {
  ...DeploymentShape,
  resource: 'deployments',
  getField: 'deployment',
  listField: 'deployments',
  shortNames: ['deploy'],
  namespaced: true,
  nameErrors: dns1123SubdomainErrors,
  fieldSelectors: [],
  scale: { replicasPath: 'spec.replicas' },
  /** SetDefaults_Deployment (k8s.io/kubernetes pkg/apis/apps/v1/defaults.go). */
  applyDefaults(o) {
    const spec = o.spec;
    spec.replicas ??= 1;
    const strategy = (spec.strategy ??= {});
    strategy.type ??= 'RollingUpdate';
    if (strategy.type === 'RollingUpdate') {
      const rolling = (strategy.rollingUpdate ??= {});
      rolling.maxUnavailable ??= '25%';
      rolling.maxSurge ??= '25%';
    }
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    defaultTemplate(spec);
  },
  validate: (o) => validateDeploymentSpec(o.spec),
  validateUpdate: validateSelectorUpdate,
  initialStatus: () => ({}),
};
