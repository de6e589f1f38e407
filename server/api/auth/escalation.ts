/**
 * RBAC escalation prevention, as Kubernetes' RBAC storage does it (pkg/registry/rbac): writing a
 * Role or ClusterRole needs every permission it grants held in its scope (or the verb `escalate`
 * on it); writing a binding needs the bound role's permissions held in the binding's scope (or
 * the verb `bind` on that role). Applies to every write of those kinds (create, update, patch,
 * apply); system:masters may grant anything; an update that changes only what the garbage
 * collector changes (finalizers, ownerReferences) is not checked.
 */
import { isDeepStrictEqual } from 'node:util';
import { KubeqlError, badInput } from '../../errors.js';
import type { KObject, KindDef } from '../../resources/kind.js';
import { grantCount, uncoveredRules } from './rule-covers.js';
import type { Attributes } from './attributes.js';
import type { Guard } from './guard.js';
import type { PolicyRule } from './rbac-rules.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';
/**
 * One request may have at most this many granted combinations (group × resource × verb × name)
 * checked, over all the roles and bindings it writes (an apply may carry many): past it the request
 * is refused before comparing, which keeps the check's synchronous work bounded.
 */
export const MAX_GRANTED_COMBINATIONS = 10_000;
/** What an aggregationRule may gather: anything (Kubernetes asks for cluster-admin to set one). */
const FULL_AUTHORITY: PolicyRule[] = [
  { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
  { nonResourceURLs: ['*'], verbs: ['*'] },
];

/** Admits (or refuses, by throwing) an object a request is about to write; here: whether a write of an RBAC object grants more than its author holds (FORBIDDEN, or NOT_FOUND for a missing role). */
export type Admission = (read: RoleReader, kind: KindDef, next: KObject, current: KObject | undefined, path: string) => void;

/** How the check reads a bound role: the write's own view, so a role created earlier in the same apply counts. */
export interface RoleReader {
  get(kind: string, namespace: string, name: string): KObject | undefined;
}

/** The server's own writes (the bootstrap policy) are not checked. */
export const SERVER_WRITES: Admission = () => {};

interface RoleRef {
  apiGroup?: string;
  kind?: string;
  name?: string;
}

/** Kubernetes' IsOnlyMutatingGCFields: equal once finalizers and ownerReferences (and version fields) are set aside. */
function onlyGcFields(next: KObject, current: KObject): boolean {
  const strip = (o: KObject) => {
    const { finalizers: _f, ownerReferences: _o, resourceVersion: _r, generation: _g, ...meta } = o.metadata;
    return { ...o, metadata: meta };
  };
  return isDeepStrictEqual(strip(next), strip(current));
}

/** The kinds whose writes are checked against the writer's own authority. */
const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

const describe = (r: PolicyRule) =>
  r.nonResourceURLs?.length
    ? `{NonResourceURLs:${JSON.stringify(r.nonResourceURLs)}, Verbs:${JSON.stringify(r.verbs)}}`
    : `{APIGroups:${JSON.stringify(r.apiGroups)}, Resources:${JSON.stringify(r.resources)}${r.resourceNames?.length ? `, ResourceNames:${JSON.stringify(r.resourceNames)}` : ''}, Verbs:${JSON.stringify(r.verbs)}}`;

function forbidden(kind: KindDef, name: string, namespace: string | undefined, reason: string): KubeqlError {
  return new KubeqlError('FORBIDDEN', `${kind.resource}.${RBAC_GROUP} "${name}" is forbidden: ${reason}`, { kind: kind.kind, name, namespace, reason: 'escalation' });
}

const TOO_MANY = `Too many: the request grants more than ${MAX_GRANTED_COMBINATIONS} combinations of API group, resource, verb and name, more than can be checked against the author's own`;

/** How many granted combinations the request may still have checked. */
interface Budget {
  left: number;
}

function confirmCovered(guard: Guard, budget: Budget, kind: KindDef, object: KObject, namespace: string | undefined, granted: PolicyRule[], tooMany: () => KubeqlError): void {
  const count = grantCount(granted);
  if (count > budget.left) throw tooMany();
  budget.left -= count;
  const result = uncoveredRules(guard.rules(namespace), granted, count);
  if (result === 'too-many') throw tooMany();
  if (result.length === 0) return;
  const missing = [...new Set(result.map(describe))].slice(0, 20);
  const who = `user ${JSON.stringify(guard.identity.name)} (groups=${JSON.stringify(guard.identity.groups)})`;
  throw forbidden(kind, object.metadata.name, namespace, `${who} is attempting to grant RBAC permissions not currently held:\n${missing.join('\n')}`);
}

export function escalationCheck(guard: Guard): Admission {
  const budget: Budget = { left: MAX_GRANTED_COMBINATIONS };
  return (read, kind, next, current, path) => {
    // Only RBAC objects grant anything; the comparison below is a deep one, on every update.
    if (guard.privileged || !RBAC_KINDS.has(kind.kind)) return;
    if (current && onlyGcFields(next, current)) return;
    const name = next.metadata.name;
    const namespace = kind.namespaced ? next.metadata.namespace : undefined;
    switch (kind.kind) {
      case 'Role':
      case 'ClusterRole': {
        // Kubernetes asks for `escalate` with the request's name: none on a create.
        const escalate: Attributes = { verb: 'escalate', apiGroup: RBAC_GROUP, resource: kind.resource, namespace, name: current ? name : undefined };
        if (guard.allows(escalate)) return;
        if (next.aggregationRule !== undefined && next.aggregationRule !== null) {
          const lacking = uncoveredRules(guard.rules(undefined), FULL_AUTHORITY, FULL_AUTHORITY.length);
          if (lacking === 'too-many' || lacking.length > 0) throw forbidden(kind, name, namespace, 'must have cluster-admin privileges to use the aggregationRule');
        }
        const granted = (next.rules as PolicyRule[] | undefined) ?? [];
        confirmCovered(guard, budget, kind, next, namespace, granted, () => badInput(`${path}.rules`, TOO_MANY));
        return;
      }
      case 'RoleBinding':
      case 'ClusterRoleBinding': {
        const ref = (next.roleRef ?? {}) as RoleRef;
        const refName = String(ref.name ?? '');
        const resource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
        // `bind` is asked in the binding's namespace, also for a ClusterRole bound by a RoleBinding.
        if (guard.allows({ verb: 'bind', apiGroup: String(ref.apiGroup ?? RBAC_GROUP), resource, namespace, name: refName })) return;
        const role = read.get(String(ref.kind), ref.kind === 'Role' ? (namespace ?? '') : '', refName);
        if (!role)
          throw new KubeqlError('NOT_FOUND', `${resource}.${RBAC_GROUP} "${refName}" not found`, { kind: ref.kind, name: refName, namespace: ref.kind === 'Role' ? namespace : undefined });
        confirmCovered(guard, budget, kind, next, namespace, (role.rules as PolicyRule[] | undefined) ?? [], () => forbidden(kind, next.metadata.name, namespace, TOO_MANY));
        return;
      }
    }
  };
}
