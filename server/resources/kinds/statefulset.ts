/**
 * StatefulSet (apps/v1): pods with stable names `<name>-0..n-1` and stable network identities
 * (hostname, and subdomain = spec.serviceName), created in order (OrderedReady) or all at once
 * (Parallel), updated by RollingUpdate with a partition or OnDelete. volumeClaimTemplates are kept
 * as written (no volumes are simulated): they are reported as not acted on.
 */
import type { KObject, KindDef } from '../kind.js';
import { arr, dateTime, int, obj, req, str } from '../shape.js';
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
  workloadSpec,
  type WorkloadSpecLike,
} from './workload-shapes.js';

export interface StatefulSetSpecLike extends WorkloadSpecLike {
  serviceName?: string;
  podManagementPolicy?: string;
  updateStrategy?: { type?: string; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } | null };
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string; whenScaled?: string };
  ordinals?: { start?: number };
}

const stsSpec = (o: KObject) => workloadSpec(o) as StatefulSetSpecLike;
const invalid = (value: unknown, message: string) => `Invalid value: ${JSON.stringify(value)}: ${message}`;
const retention = str(['Retain', 'Delete']);

function validateStatefulSet(o: KObject): FieldError[] {
  const spec = stsSpec(o);
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
function validateStatefulSetUpdate(next: KObject, old: KObject): FieldError[] {
  const strip = (spec: StatefulSetSpecLike) => Object.fromEntries(Object.entries(spec).filter(([k]) => !MUTABLE.has(k)));
  const differs = diffPath(strip(stsSpec(old)), strip(stsSpec(next)), 'spec');
  if (!differs) return [];
  return [
    {
      path: 'spec',
      message:
        "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    },
  ];
}

export const statefulSet: KindDef = {
  kind: 'StatefulSet',
  apiVersion: 'apps/v1',
  resource: 'statefulsets',
  getField: 'statefulSet',
  listField: 'statefulSets',
  shortNames: ['sts'],
  namespaced: true,
  nameErrors: dns1123SubdomainErrors,
  body: {
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
  status: obj('StatefulSetStatus', {
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
  fieldSelectors: [],
  scale: { replicasPath: 'spec.replicas' },
  /** SetDefaults_StatefulSet. */
  applyDefaults(o) {
    const spec = stsSpec(o);
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
