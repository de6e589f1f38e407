/**
 * SelfSubjectAccessReview (authorization.k8s.io/v1), so `kubectl auth can-i` works: the request's
 * own identity asked against the same RBAC decision every request gets.
 */
import { isPlainObject } from '../../resources/shape.js';
import type { Attributes } from '../auth/attributes.js';
import type { Guard } from '../auth/guard.js';
import { badRequest } from './status.js';

const str = (v: unknown, field: string): string => {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string' || v.length > 253) throw badRequest(`spec.resourceAttributes.${field} must be a string of at most 253 characters`);
  return v;
};

export function selfSubjectAccessReview(guard: Guard, body: unknown) {
  if (!isPlainObject(body) || !isPlainObject(body.spec)) throw badRequest('a SelfSubjectAccessReview needs a spec');
  const spec = body.spec;
  let allowed = false;
  let reason = '';
  if (isPlainObject(spec.resourceAttributes)) {
    const a = spec.resourceAttributes;
    const attributes: Attributes = {
      verb: str(a.verb, 'verb') || '*',
      apiGroup: str(a.group, 'group'),
      resource: str(a.resource, 'resource'),
      ...(str(a.subresource, 'subresource') ? { subresource: str(a.subresource, 'subresource') } : {}),
      ...(str(a.namespace, 'namespace') ? { namespace: str(a.namespace, 'namespace') } : {}),
      ...(str(a.name, 'name') ? { name: str(a.name, 'name') } : {}),
    };
    allowed = guard.allows(attributes);
    reason = allowed ? 'allowed by RBAC' : '';
  } else if (isPlainObject(spec.nonResourceAttributes)) {
    // Discovery, version and health paths are open to every authenticated identity, as Kubernetes' system:discovery role has them.
    const path = str(spec.nonResourceAttributes.path, 'path');
    allowed = /^\/(api|apis|version|openapi|healthz|livez|readyz)(\/|$)/.test(path) && ['get', 'head'].includes(str(spec.nonResourceAttributes.verb, 'verb'));
    reason = allowed ? 'discovery is open to authenticated users' : '';
  } else throw badRequest('spec.resourceAttributes or spec.nonResourceAttributes is required');
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    status: { allowed, ...(reason ? { reason } : {}) },
  };
}
