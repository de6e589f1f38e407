/**
 * What ReplicaSet and Deployment share: the LabelSelector and PodTemplateSpec shapes, the template's
 * defaults, and the selector/template rules of k8s.io/kubernetes pkg/apis/apps/validation.
 */
import type { KObject } from '../kind.js';
import { arr, int, obj, req, str, stringMap, type Infer } from '../shape.js';
import { labelSelectorFromObject, matchesLabels } from '../selectors/label-selector.js';
import { diffPath } from '../validation/diff-path.js';
import { childPath, type FieldError } from '../validation/field-error.js';
import { validateAnnotations, validateLabels } from '../validation/labels.js';
import { PodSpec, defaultPodSpec, validatePodSpec } from './pod.js';

export const LabelSelector = obj('LabelSelector', {
  matchLabels: stringMap,
  // The operator is checked with the selector (`not a valid selector operator`), as Kubernetes words it.
  matchExpressions: arr(obj('LabelSelectorRequirement', { key: req(str()), operator: req(str()), values: arr(str()) })),
});

export const PodTemplateSpec = obj('PodTemplateSpec', {
  metadata: obj('PodTemplateMetadata', { labels: stringMap, annotations: stringMap }),
  spec: req(PodSpec),
});

/** A workload's status conditions (ReplicaSetCondition; a Deployment's add lastUpdateTime). */
export const conditionStatus = str(['True', 'False', 'Unknown']);

/** A non-negative replica count or number of seconds. */
export const nonNegative = int(0);

/** What every workload spec has (each inferred from its kind's shape; a Job's selector may be generated later). */
export interface WorkloadSpec {
  replicas?: number;
  selector?: Infer<typeof LabelSelector>;
  template: Infer<typeof PodTemplateSpec>;
}

/** SetDefaults for the pod template: the Pod's own defaults, applied to `spec.template.spec`. */
export function defaultTemplate(spec: WorkloadSpec): void {
  defaultPodSpec(spec.template.spec);
}

const invalid = (value: unknown, message: string) => `Invalid value: ${JSON.stringify(value ?? null)}: ${message}`;

/**
 * The selector (required, valid, non-empty) and the template it must match (ValidateReplicaSetSpec,
 * ValidateDeploymentSpec, ValidatePodTemplateSpecForReplicaSet). Paths under `spec`.
 */
export function validateSelectorAndTemplate(spec: WorkloadSpec, restartPolicies: readonly string[] = ['Always']): FieldError[] {
  const errors: FieldError[] = [];
  const selectorPath = 'spec.selector';
  const { requirements, errors: selectorErrors } = labelSelectorFromObject(spec.selector, selectorPath);
  errors.push(...selectorErrors);
  const sel = spec.selector as { matchLabels?: object; matchExpressions?: unknown[] } | undefined;
  if (sel && typeof sel === 'object' && Object.keys(sel.matchLabels ?? {}).length + (sel.matchExpressions?.length ?? 0) === 0)
    errors.push({ path: selectorPath, message: invalid(sel, 'empty selector is invalid for deployment') });

  const template = spec.template;
  if (typeof template !== 'object' || template === null) return errors;
  const labels = template.metadata?.labels;
  if (selectorErrors.length === 0 && requirements.length > 0 && !matchesLabels(requirements, labels))
    errors.push({ path: 'spec.template.metadata.labels', message: invalid(labels, '`selector` does not match template `labels`') });
  errors.push(...validateLabels(labels, 'spec.template.metadata.labels'));
  errors.push(...validateAnnotations(template.metadata?.annotations, 'spec.template.metadata.annotations'));

  const podSpec = template.spec;
  if (typeof podSpec !== 'object' || podSpec === null) return errors;
  const podPath = 'spec.template.spec';
  errors.push(...validatePodSpec(podSpec, podPath));
  if (podSpec.restartPolicy !== undefined && !restartPolicies.includes(podSpec.restartPolicy as string))
    errors.push({ path: childPath(podPath, 'restartPolicy'), message: `Unsupported value: ${JSON.stringify(podSpec.restartPolicy)}: supported values: ${restartPolicies.map((p) => `"${p}"`).join(', ')}` });
  if (restartPolicies.includes('Always') && podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null)
    errors.push({ path: childPath(podPath, 'activeDeadlineSeconds'), message: invalid(podSpec.activeDeadlineSeconds, 'activeDeadlineSeconds in ReplicaSet is not Supported') });
  return errors;
}

/** apps/v1: `spec.selector` may not change after create. */
export function validateSelectorUpdate(next: { spec: WorkloadSpec }, old: { spec: WorkloadSpec }): FieldError[] {
  const selector = (o: { spec: WorkloadSpec }) => o.spec.selector;
  const d = diffPath(selector(old), selector(next), 'spec.selector');
  return d ? [{ path: 'spec.selector', message: invalid(selector(next), 'field is immutable') }] : [];
}
