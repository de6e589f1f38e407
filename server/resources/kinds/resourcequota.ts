/** ResourceQuota (v1): hard limits on what a namespace may hold (`pods`, `requests.cpu`, `count/deployments.apps`); the quota controller fills in `status.used`. */
import type { KindDef } from '../kind.js';
import { arr, isPlainObject, jsonOf, kindShape, obj, str, type Infer } from '../shape.js';
import { parseQuantity, quantityErrors } from '../quantity.js';
import { mapKeyPath, type FieldError } from '../validation/field-error.js';
import { qualifiedNameErrors } from '../validation/labels.js';
import { dns1123SubdomainErrors } from '../validation/names.js';
import { canonicalizeQuantities } from './pod.js';

/** Resources counted in whole objects: their hard limits must be integers (IsIntegerResourceName). */
const OBJECT_COUNTS = new Set(['pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers']);
const COMPUTE = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);
/** standardQuotaResources of k8s.io/kubernetes pkg/apis/core/helper. */
const STANDARD = new Set([...OBJECT_COUNTS, ...COMPUTE, 'ephemeral-storage', 'requests.storage', 'requests.ephemeral-storage', 'limits.ephemeral-storage']);
const SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity'];
const CONFLICTING_SCOPES = [
  ['BestEffort', 'NotBestEffort'],
  ['Terminating', 'NotTerminating'],
];

const isStandard = (name: string) => STANDARD.has(name) || name.startsWith('hugepages-') || name.startsWith('requests.hugepages-');
const isInteger = (name: string) => OBJECT_COUNTS.has(name) || name.startsWith('count/');
/** IsResourceQuotaScopeValidForResource: BestEffort limits only pod counts; the other pod scopes pod counts and compute. */
const scopeFits = (scope: string, name: string) =>
  scope === 'BestEffort' ? name === 'pods' : SCOPES.includes(scope) ? name === 'pods' || COMPUTE.has(name) : true;

/** spec.scopeSelector (ScopeSelector): kept as JSON, read by quota scopes as this. */
export interface ScopeSelector {
  matchExpressions?: Array<{ scopeName: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

const invalid = (value: unknown, message: string) => `Invalid value: ${JSON.stringify(value)}: ${message}`;

type QuotaSpec = NonNullable<ResourceQuota['spec']>;

/** ValidateResourceQuotaSpec (k8s.io/kubernetes pkg/apis/core/validation). */
function validateQuotaSpec(spec: QuotaSpec): FieldError[] {
  const errors: FieldError[] = [];
  const hard = isPlainObject(spec.hard) ? spec.hard : {};
  if (spec.hard !== undefined && !isPlainObject(spec.hard)) errors.push({ path: 'spec.hard', message: 'must be an object of quantities' });
  for (const [name, value] of Object.entries(hard)) {
    const path = mapKeyPath('spec.hard', name);
    const nameErrors = qualifiedNameErrors(name);
    for (const m of nameErrors) errors.push({ path, message: invalid(name, m) });
    if (nameErrors.length === 0 && !name.includes('/') && !isStandard(name)) errors.push({ path, message: invalid(name, 'must be a standard resource for quota') });
    const qErrors = quantityErrors(value);
    for (const m of qErrors) errors.push({ path, message: invalid(value, m) });
    if (qErrors.length) continue;
    const q = parseQuantity(value)!;
    if (q < 0) errors.push({ path, message: invalid(value, 'must be greater than or equal to 0') });
    else if (isInteger(name) && !Number.isInteger(q)) errors.push({ path, message: invalid(value, 'must be an integer') });
  }
  const scopes = Array.isArray(spec.scopes) ? spec.scopes : [];
  for (const scope of scopes) {
    if (!SCOPES.includes(scope)) errors.push({ path: 'spec.scopes', message: invalid(scopes, 'unsupported scope') });
    for (const name of Object.keys(hard)) if (isStandard(name) && !scopeFits(scope, name)) errors.push({ path: 'spec.scopes', message: invalid(scopes, 'unsupported scope applied to resource') });
  }
  for (const pair of CONFLICTING_SCOPES) if (pair.every((s) => scopes.includes(s))) errors.push({ path: 'spec.scopes', message: invalid(scopes, 'conflicting scopes') });
  return errors;
}

export const ResourceQuotaShape = kindShape('ResourceQuota', 'v1', {
  spec: {
    shape: obj('ResourceQuotaSpec', {
      // An object of quantities, checked by validateQuotaSpec.
      hard: { shape: jsonOf<Record<string, unknown>>(), description: 'Resource names to quantities (pods: 10, requests.cpu: 4).' },
      scopes: arr(str()),
      scopeSelector: jsonOf<ScopeSelector>(),
    }),
  },
}, obj('ResourceQuotaStatus', {
  hard: { shape: jsonOf<Record<string, unknown>>(), description: 'The enforced hard limits.' },
  used: { shape: jsonOf<Record<string, unknown>>(), description: 'What the namespace uses now, per resource.' },
}));
/** A ResourceQuota, as the API stores and returns it. */
export type ResourceQuota = Infer<typeof ResourceQuotaShape>;

export const resourceQuota: KindDef<ResourceQuota> = {
  ...ResourceQuotaShape,
  resource: 'resourcequotas',
  getField: 'resourceQuota',
  listField: 'resourceQuotas',
  shortNames: ['quota'],
  namespaced: true,
  nameErrors: dns1123SubdomainErrors,
  fieldSelectors: [],
  applyDefaults(o) {
    o.spec ??= {};
    const hard = o.spec.hard;
    if (isPlainObject(hard)) canonicalizeQuantities(hard);
  },
  validate: (o) => validateQuotaSpec(o.spec ?? {}),
};
