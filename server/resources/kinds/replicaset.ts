/** ReplicaSet (apps/v1): keeps `spec.replicas` pods matching its selector running, made from its template. */
import type { KindDef } from '../kind.js';
import { arr, dateTime, int, kindShape, obj, req, str, type Infer } from '../shape.js';
import { dns1123SubdomainErrors } from '../validation/names.js';
import {
  LabelSelector,
  PodTemplateSpec,
  conditionStatus,
  defaultTemplate,
  nonNegative,
  validateSelectorAndTemplate,
  validateSelectorUpdate,
} from './workload-shapes.js';

export const ReplicaSetShape = kindShape('ReplicaSet', 'apps/v1', {
  spec: req(
    obj('ReplicaSetSpec', {
      replicas: nonNegative,
      minReadySeconds: nonNegative,
      selector: req(LabelSelector),
      template: req(PodTemplateSpec),
    }),
  ),
}, obj('ReplicaSetStatus', {
  replicas: nonNegative,
  fullyLabeledReplicas: nonNegative,
  readyReplicas: nonNegative,
  availableReplicas: nonNegative,
  observedGeneration: int(0),
  conditions: arr(
    obj('ReplicaSetCondition', {
      type: req(str()),
      status: req(conditionStatus),
      lastTransitionTime: dateTime,
      reason: str(),
      message: str(),
    }),
  ),
}));
/** A ReplicaSet, as the API stores and returns it. */
export type ReplicaSet = Infer<typeof ReplicaSetShape>;

export const replicaSet: KindDef<ReplicaSet> = {
  ...ReplicaSetShape,
  resource: 'replicasets',
  getField: 'replicaSet',
  listField: 'replicaSets',
  shortNames: ['rs'],
  namespaced: true,
  nameErrors: dns1123SubdomainErrors,
  fieldSelectors: [],
  scale: { replicasPath: 'spec.replicas' },
  applyDefaults(o) {
    const spec = o.spec;
    spec.replicas ??= 1;
    defaultTemplate(spec);
  },
  validate: (o) => validateSelectorAndTemplate(o.spec),
  validateUpdate: validateSelectorUpdate,
  // status.replicas has no omitempty in Kubernetes: a new ReplicaSet reads `status: { replicas: 0 }`.
  initialStatus: () => ({ replicas: 0 }),
};
