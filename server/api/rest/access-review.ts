/**
 * SelfSubjectAccessReview and SelfSubjectRulesReview (authorization.k8s.io/v1), so `kubectl auth
 * can-i` (and `--list`) works: the request's own identity asked against the same RBAC decision
 * and rules every request gets.
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

const ALL = ['*'];

/** The rules the identity holds in a namespace; `incomplete` where an authorizer decides beyond RBAC (a node's rules). */
export function selfSubjectRulesReview(guard: Guard, body: unknown) {
  if (!isPlainObject(body) || !isPlainObject(body.spec)) throw badRequest('a SelfSubjectRulesReview needs a spec');
  const namespace = body.spec.namespace;
  if (namespace !== undefined && (typeof namespace !== 'string' || namespace.length > 253)) throw badRequest('spec.namespace must be a string of at most 253 characters');
  const masters = guard.identity.groups.includes('system:masters');
  const rules = masters ? [{ verbs: ALL, apiGroups: ALL, resources: ALL }] : guard.rules(namespace || undefined);
  const resourceRules = rules
    .filter((r) => (r.resources?.length ?? 0) > 0)
    .map((r) => ({ verbs: r.verbs ?? [], apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) }));
  const nonResourceRules = masters
    ? [{ verbs: ALL, nonResourceURLs: ALL }]
    : [
        { verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/openapi', '/openapi/*', '/version', '/version/', '/healthz', '/livez', '/readyz'] },
        ...rules.filter((r) => (r.nonResourceURLs?.length ?? 0) > 0).map((r) => ({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs ?? [] })),
      ];
  return {
    kind: 'SelfSubjectRulesReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: { ...(namespace ? { namespace } : {}) },
    status: { resourceRules, nonResourceRules, incomplete: guard.decidesOnObject },
  };
}
