/** DaemonSet (apps/v1): one pod per eligible node, rolled out by RollingUpdate (maxUnavailable, maxSurge) or OnDelete. */
import type { KindDef } from '../kind.js';
import { arr, dateTime, int, intOrString, kindShape, obj, req, str, type Infer } from '../shape.js';
import type { FieldError } from '../validation/field-error.js';
import { dns1123SubdomainErrors } from '../validation/names.js';
import { intOrPercentErrors, intOrPercentValue } from './deployment.js';
import {
  LabelSelector,
  PodTemplateSpec,
  conditionStatus,
  defaultTemplate,
  nonNegative,
  validateSelectorAndTemplate,
  validateSelectorUpdate,
} from './workload-shapes.js';

const invalid = (value: unknown, message: string) => `Invalid value: ${JSON.stringify(value)}: ${message}`;

/** ValidateDaemonSetUpdateStrategy and ValidateRollingUpdateDaemonSet. */
function validateUpdateStrategy(spec: DaemonSetSpec): FieldError[] {
  const strategy = spec.updateStrategy ?? {};
  if (strategy.type !== 'RollingUpdate') return [];
  const rolling = strategy.rollingUpdate;
  const path = 'spec.updateStrategy.rollingUpdate';
  if (!rolling) return [{ path, message: 'Required value' }];
  const errors = [...intOrPercentErrors(rolling.maxUnavailable, `${path}.maxUnavailable`), ...intOrPercentErrors(rolling.maxSurge, `${path}.maxSurge`)];
  const unavailable = intOrPercentValue(rolling.maxUnavailable);
  const surge = intOrPercentValue(rolling.maxSurge);
  if (unavailable === 0 && surge === 0) errors.push({ path: `${path}.maxUnavailable`, message: invalid(rolling.maxUnavailable, 'may not be 0 when `maxSurge` is 0') });
  if (unavailable !== 0 && surge !== 0) errors.push({ path: `${path}.maxSurge`, message: invalid(rolling.maxSurge, 'may not be set when maxUnavailable is non-zero') });
  for (const [field, v] of [['maxUnavailable', rolling.maxUnavailable], ['maxSurge', rolling.maxSurge]] as const)
    if (typeof v === 'string' && v.endsWith('%') && intOrPercentValue(v) > 100) errors.push({ path: `${path}.${field}`, message: invalid(v, 'must not be greater than 100%') });
  return errors;
}

export const DaemonSetShape = kindShape(
  'DaemonSet',
  'apps/v1',
  {
    spec: req(
      obj('DaemonSetSpec', {
        selector: req(LabelSelector),
        template: req(PodTemplateSpec),
        updateStrategy: obj('DaemonSetUpdateStrategy', {
          type: str(['RollingUpdate', 'OnDelete']),
          rollingUpdate: obj('RollingUpdateDaemonSet', { maxUnavailable: intOrString, maxSurge: intOrString }),
        }),
        minReadySeconds: nonNegative,
        revisionHistoryLimit: nonNegative,
      }),
    ),
  },
  obj('DaemonSetStatus', {
    currentNumberScheduled: nonNegative,
    numberMisscheduled: nonNegative,
    desiredNumberScheduled: nonNegative,
    numberReady: nonNegative,
    observedGeneration: int(0),
    updatedNumberScheduled: nonNegative,
    numberAvailable: nonNegative,
    numberUnavailable: nonNegative,
    collisionCount: int(0),
    conditions: arr(
      obj('DaemonSetCondition', { type: req(str()), status: req(conditionStatus), lastTransitionTime: dateTime, reason: str(), message: str() }),
    ),
  }),
);
/** A DaemonSet, as the API stores and returns it. */
export type DaemonSet = Infer<typeof DaemonSetShape>;
type DaemonSetSpec = DaemonSet['spec'];

export const daemonSet: KindDef<DaemonSet> = {
  ...DaemonSetShape,
  resource: 'daemonsets',
  getField: 'daemonSet',
  listField: 'daemonSets',
  shortNames: ['ds'],
  namespaced: true,
  nameErrors: dns1123SubdomainErrors,
  fieldSelectors: [],
  /** SetDefaults_DaemonSet. */
  applyDefaults(o) {
    const spec = o.spec;
    const strategy = (spec.updateStrategy ??= {});
    strategy.type ??= 'RollingUpdate';
    if (strategy.type === 'RollingUpdate') {
      const rolling = (strategy.rollingUpdate ??= {});
      rolling.maxUnavailable ??= 1;
      rolling.maxSurge ??= 0;
    }
    spec.revisionHistoryLimit ??= 10;
    defaultTemplate(spec);
  },
  validate: (o) => [...validateSelectorAndTemplate(o.spec), ...validateUpdateStrategy(o.spec)],
  validateUpdate: validateSelectorUpdate,
  // These four have no omitempty in Kubernetes.
  initialStatus: () => ({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }),
};
