/** Lease: a lock with a holder and a term (coordination.k8s.io/v1); node agents renew theirs in kube-node-lease as a heartbeat. */
import type { KindDef } from '../kind.js';
import { dateTime, int, kindShape, obj, str, type Infer } from '../shape.js';
import type { FieldError } from '../validation/field-error.js';
import { dns1123SubdomainErrors } from '../validation/names.js';

/** Where each node's heartbeat Lease lives, named as the node (Kubernetes' kube-node-lease). */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** ValidateLeaseSpec (k8s.io/kubernetes pkg/apis/coordination/validation). */
function validateLeaseSpec(spec: NonNullable<Lease['spec']>): FieldError[] {
  const errors: FieldError[] = [];
  if (typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds <= 0)
    errors.push({ path: 'spec.leaseDurationSeconds', message: `Invalid value: ${spec.leaseDurationSeconds}: must be greater than 0` });
  if (typeof spec.leaseTransitions === 'number' && spec.leaseTransitions < 0)
    errors.push({ path: 'spec.leaseTransitions', message: `Invalid value: ${spec.leaseTransitions}: must be greater than or equal to 0` });
  if (spec.preferredHolder && !spec.strategy)
    errors.push({ path: 'spec.preferredHolder', message: 'Forbidden: may only be specified if `strategy` is defined' });
  return errors;
}

export const LeaseShape = kindShape('Lease', 'coordination.k8s.io/v1', {
  spec: {
    shape: obj('LeaseSpec', {
      holderIdentity: str(),
      leaseDurationSeconds: int(),
      // MicroTime: RFC 3339 with microseconds (2006-01-02T15:04:05.000000Z).
      acquireTime: dateTime,
      renewTime: dateTime,
      leaseTransitions: int(),
      strategy: str(['OldestEmulationVersion']),
      preferredHolder: str(),
    }),
  },
});
/** A Lease, as the API stores and returns it. */
export type Lease = Infer<typeof LeaseShape>;

export const lease: KindDef<Lease> = {
  ...LeaseShape,
  resource: 'leases',
  getField: 'lease',
  listField: 'leases',
  shortNames: [],
  namespaced: true,
  nameErrors: dns1123SubdomainErrors,
  fieldSelectors: [],
  applyDefaults(o) {
    o.spec ??= {};
  },
  validate: (o) => validateLeaseSpec(o.spec ?? {}),
};
