/**
 * Job (batch/v1): runs pods to completion. Kubernetes' defaults (completions and parallelism 1 when
 * both are unset, backoffLimit 6), its generated selector (`batch.kubernetes.io/controller-uid`) and
 * the pod labels `batch.kubernetes.io/job-name`, `job-name`, `controller-uid` set at create from the
 * new uid, and its validation (restartPolicy OnFailure or Never; the selector and template fixed once set).
 */
import { isDeepStrictEqual } from 'node:util';
import type { KindDef } from '../kind.js';
import { arr, bool, dateTime, int, json, kindShape, obj, req, str, type Infer } from '../shape.js';
import type { FieldError } from '../validation/field-error.js';
import { diffPath } from '../validation/diff-path.js';
import { dns1123SubdomainErrors } from '../validation/names.js';
import { LabelSelector, PodTemplateSpec, conditionStatus, defaultTemplate, nonNegative, validateSelectorAndTemplate } from './workload-shapes.js';

export const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
const LEGACY_JOB_NAME_LABEL = 'job-name';

const invalid = (value: unknown, message: string) => `Invalid value: ${JSON.stringify(value ?? null)}: ${message}`;

export const JobShape = kindShape(
  'Job',
  'batch/v1',
  {
    spec: req(
      obj('JobSpec', {
        parallelism: nonNegative,
        completions: nonNegative,
        activeDeadlineSeconds: int(1),
        backoffLimit: nonNegative,
        selector: LabelSelector,
        manualSelector: bool,
        template: req(PodTemplateSpec),
        ttlSecondsAfterFinished: nonNegative,
        // Indexed Jobs are not implemented: refused rather than accepted and ignored.
        completionMode: str(['NonIndexed']),
        suspend: bool,
        podReplacementPolicy: str(['TerminatingOrFailed', 'Failed']),
      }),
    ),
  },
  obj('JobStatus', {
    conditions: arr(
      obj('JobCondition', {
        type: req(str()),
        status: req(conditionStatus),
        lastProbeTime: dateTime,
        lastTransitionTime: dateTime,
        reason: str(),
        message: str(),
      }),
    ),
    startTime: dateTime,
    completionTime: dateTime,
    active: nonNegative,
    succeeded: nonNegative,
    failed: nonNegative,
    ready: nonNegative,
    terminating: nonNegative,
    uncountedTerminatedPods: json,
  }),
);
/** A Job, as the API stores and returns it. */
export type Job = Infer<typeof JobShape>;
type JobSpec = Job['spec'];

/** The selector Kubernetes generates for a Job (generateSelector). */
export const generatedSelector = (uid: string) => ({ matchLabels: { [JOB_CONTROLLER_UID_LABEL]: uid } });

function validateJob(o: Job): FieldError[] {
  const spec = o.spec;
  const errors: FieldError[] = [];
  if (spec.selector !== undefined && spec.selector !== null && spec.manualSelector !== true) {
    // ValidateGeneratedSelector: without manualSelector the selector is the generated one.
    // An update whose input leaves out metadata.uid is checked for the generated form.
    const uid = o.metadata.uid || spec.selector.matchLabels?.[JOB_CONTROLLER_UID_LABEL];
    if (typeof uid !== 'string' || !isDeepStrictEqual(spec.selector, generatedSelector(uid)))
      errors.push({ path: 'spec.selector', message: invalid(spec.selector, '`selector` not auto-generated') });
  }
  if (spec.manualSelector === true && (spec.selector === undefined || spec.selector === null))
    errors.push({ path: 'spec.selector', message: 'Required value' });
  errors.push(...validateSelectorAndTemplate(spec, ['OnFailure', 'Never']));
  if (spec.template?.spec && spec.template.spec.restartPolicy === undefined)
    errors.push({ path: 'spec.template.spec.restartPolicy', message: 'Required value: valid values: "OnFailure", "Never"' });
  return errors;
}

/** ValidateJobUpdate: the selector, the template (of a Job that is not suspended) and completions are fixed. */
function validateJobUpdate(next: Job, old: Job): FieldError[] {
  const errors: FieldError[] = [];
  const a: JobSpec = old.spec;
  const b: JobSpec = next.spec;
  for (const field of ['selector', 'completions', 'completionMode', 'manualSelector'] as const)
    if (diffPath(a[field], b[field], `spec.${field}`)) errors.push({ path: `spec.${field}`, message: invalid(b[field], 'field is immutable') });
  if (!a.suspend && diffPath(a.template, b.template, 'spec.template')) errors.push({ path: 'spec.template', message: invalid(b.template, 'field is immutable') });
  return errors;
}

export const job: KindDef<Job> = {
  ...JobShape,
  resource: 'jobs',
  getField: 'job',
  listField: 'jobs',
  shortNames: [],
  namespaced: true,
  nameErrors: dns1123SubdomainErrors,
  fieldSelectors: [],
  /** SetDefaults_Job (k8s.io/kubernetes pkg/apis/batch/v1/defaults.go). */
  applyDefaults(o) {
    const spec = o.spec;
    if (spec.completions === undefined && spec.parallelism === undefined) {
      spec.completions = 1;
      spec.parallelism = 1;
    }
    spec.parallelism ??= 1;
    spec.backoffLimit ??= 6;
    spec.completionMode ??= 'NonIndexed';
    spec.suspend ??= false;
    spec.podReplacementPolicy ??= 'TerminatingOrFailed';
    spec.manualSelector ??= false;
    defaultTemplate(spec);
    const templateLabels = spec.template?.metadata?.labels;
    if (templateLabels && Object.keys(o.metadata.labels ?? {}).length === 0) o.metadata.labels = { ...templateLabels };
  },
  /** The job strategy's generateSelector: the selector and the template's labels from the new uid. */
  prepareForCreate(o) {
    const spec = o.spec;
    if (spec.manualSelector === true) return;
    const { uid, name } = o.metadata;
    const podLabels = { ...spec.template?.metadata?.labels, [JOB_CONTROLLER_UID_LABEL]: uid, [JOB_NAME_LABEL]: name, [LEGACY_CONTROLLER_UID_LABEL]: uid, [LEGACY_JOB_NAME_LABEL]: name };
    // A Job without a template is refused by validation; the selector is generated all the same.
    if (spec.template) spec.template.metadata = { ...spec.template.metadata, labels: podLabels };
    spec.selector = generatedSelector(uid);
    if (Object.keys(o.metadata.labels ?? {}).length === 0) o.metadata.labels = { ...podLabels };
  },
  validate: validateJob,
  validateUpdate: validateJobUpdate,
  initialStatus: () => ({}),
};
