/**
 * StatefulSet (apps/v1): pods with stable names `<name>-0..n-1` and stable network identities
 * (hostname, and subdomain = spec.serviceName), created in order (OrderedReady) or all at once
 * (Parallel), updated by RollingUpdate with a partition or OnDelete. volumeClaimTemplates are kept
 * as written (no volumes are simulated): they are reported as not acted on.
 */
import type { KindDef } from '../kind.js';
import { arr, dateTime, int, kindShape, obj, req, str, type Infer } from '../shape.js';
import type { FieldError } from '../validation/field-error.js';
import { diffPath } from '../validation/diff-path.js';
import { dns1123LabelErrors, dns1123SubdomainErrors } from '../validation/names.js';
import {
  LabelSelector,
  PodTemplateSpec,
  conditionStatus,
  defaultTemplate,
  nonNegative,
  validateSelectorAndTemplate,
} from './workload-shapes.js';

const invalid = (value: unknown, message: string) => `Invalid value: ${JSON.stringify(value)}: ${message}`;
const retention = str(['Retain', 'Delete']);

function validateStatefulSet(o: StatefulSet): FieldError[] {
  const spec = o.spec;
  const errors = validateSelectorAndTemplate(spec);
  if (typeof spec.serviceName === 'string' && spec.serviceName !== '')
    for (const m of dns1123LabelErrors(spec.serviceName)) errors.push({ path: 'spec.serviceName', message: invalid(spec.serviceName, m) });
  const strategy = spec.updateStrategy ?? {};
  if (strategy.type === 'OnDelete' && strategy.rollingUpdate)
    errors.push({ path: 'spec.updateStrategy.rollingUpdate', message: "Invalid value: only allowed for updateStrategy 'RollingUpdate'" });
  return errors;
}

const MUTABLE = new Set(['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']);

/** ValidateStatefulSetUpdate: only some fields of the spec may change. */
function validateStatefulSetUpdate(next: StatefulSet, old: StatefulSet): FieldError[] {
  const strip = (spec: StatefulSetSpec) => Object.fromEntries(Object.entries(spec).filter(([k]) => !MUTABLE.has(k)));
  const differs = diffPath(strip(old.spec), strip(next.spec), 'spec');
  if (!differs) return [];
  return [
    {
      path: 'spec',
      message:
        "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    },
  ];
}

export const StatefulSetShape = kindShape(
  'StatefulSet',
  'apps/v1',
  {
    spec: req(
      obj('StatefulSetSpec', {
        replicas: nonNegative,
        selector: req(LabelSelector),
        template: req(PodTemplateSpec),
        serviceName: str(),
        podManagementPolicy: str(['OrderedReady', 'Parallel']),
        updateStrategy: obj('StatefulSetUpdateStrategy', {
          type: str(['RollingUpdate', 'OnDelete']),
          // maxUnavailable (alpha in Kubernetes, off by default) is not acted on: it is kept with a warning.
          rollingUpdate: obj('RollingUpdateStatefulSetStrategy', { partition: nonNegative }),
        }),
        revisionHistoryLimit: nonNegative,
        minReadySeconds: nonNegative,
        persistentVolumeClaimRetentionPolicy: obj('StatefulSetPersistentVolumeClaimRetentionPolicy', { whenDeleted: retention, whenScaled: retention }),
        ordinals: obj('StatefulSetOrdinals', { start: nonNegative }),
      }),
    ),
  },
  obj('StatefulSetStatus', {
    observedGeneration: int(0),
    replicas: nonNegative,
    readyReplicas: nonNegative,
    currentReplicas: nonNegative,
    updatedReplicas: nonNegative,
    availableReplicas: nonNegative,
    currentRevision: str(),
    updateRevision: str(),
    collisionCount: int(0),
    conditions: arr(
      obj('StatefulSetCondition', { type: req(str()), status: req(conditionStatus), lastTransitionTime: dateTime, reason: str(), message: str() }),
    ),
  }),
);
/** A StatefulSet, as the API stores and returns it. */
export type StatefulSet = Infer<typeof StatefulSetShape>;
type StatefulSetSpec = StatefulSet['spec'];

export const statefulSet: KindDef<StatefulSet> = {
  ...StatefulSetShape,
  resource: 'statefulsets',
  getField: 'statefulSet',
  listField: 'statefulSets',
  shortNames: ['sts'],
  namespaced: true,
  nameErrors: dns1123SubdomainErrors,
  fieldSelectors: [],
  scale: { replicasPath: 'spec.replicas' },
  /** SetDefaults_StatefulSet. */
  applyDefaults(o) {
    const spec = o.spec;
    spec.podManagementPolicy ??= 'OrderedReady';
    const strategy = (spec.updateStrategy ??= {});
    strategy.type ??= 'RollingUpdate';
    if (strategy.type === 'RollingUpdate') {
      const rolling = (strategy.rollingUpdate ??= {});
      rolling.partition ??= 0;
    }
    spec.replicas ??= 1;
    spec.revisionHistoryLimit ??= 10;
    const policy = (spec.persistentVolumeClaimRetentionPolicy ??= {});
    policy.whenDeleted ??= 'Retain';
    policy.whenScaled ??= 'Retain';
    defaultTemplate(spec);
  },
  validate: validateStatefulSet,
  validateUpdate: validateStatefulSetUpdate,
  // replicas and availableReplicas have no omitempty in Kubernetes.
  initialStatus: () => ({ replicas: 0, availableReplicas: 0 }),
};
