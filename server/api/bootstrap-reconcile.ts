/**
 * Reconciliation of the default RBAC policy on a data directory that already has it, as
 * kube-apiserver reconciles its bootstrap roles at every start: a role whose annotation
 * `rbac.authorization.kubernetes.io/autoupdate` is not "false" gets the rules it lacks (an upgrade
 * that grants a component more reaches old data directories), a binding the subjects it lacks.
 * Nothing is taken away: rules and subjects an operator added stay. With the annotation "false" the
 * object is the operator's and left alone. A binding whose roleRef an operator changed is left
 * alone too (roleRef is immutable; Kubernetes would recreate the binding).
 */
import { isDeepStrictEqual } from 'node:util';
import type { KObject } from '../resources/kind.js';

export const AUTOUPDATE = 'rbac.authorization.kubernetes.io/autoupdate';

type Manifest = Record<string, unknown> & { metadata: { labels?: Record<string, string>; annotations?: Record<string, string> } };

/** The body an existing policy object should have (undefined when it needs nothing). */
export function reconciledPolicy(existing: KObject, wanted: Manifest): Record<string, unknown> | undefined {
  if (existing.metadata.annotations?.[AUTOUPDATE] === 'false') return undefined;
  const body = existing as unknown as Record<string, unknown>;
  let changed = false;
  const next: Record<string, unknown> = { ...body, metadata: { ...existing.metadata } };
  if (existing.kind === 'ClusterRole' || existing.kind === 'Role') {
    const have = (Array.isArray(body.rules) ? body.rules : []) as unknown[];
    const missing = ((wanted.rules as unknown[] | undefined) ?? []).filter((rule) => !have.some((h) => sameRule(h, rule)));
    if (missing.length) {
      next.rules = [...have, ...missing];
      changed = true;
    }
  } else if (existing.kind === 'ClusterRoleBinding' || existing.kind === 'RoleBinding') {
    if (!isDeepStrictEqual(body.roleRef, wanted.roleRef)) return undefined;
    const have = (Array.isArray(body.subjects) ? body.subjects : []) as unknown[];
    const missing = ((wanted.subjects as unknown[] | undefined) ?? []).filter((s) => !have.some((h) => isDeepStrictEqual(h, s)));
    if (missing.length) {
      next.subjects = [...have, ...missing];
      changed = true;
    }
  } else return undefined;
  const meta = next.metadata as KObject['metadata'];
  for (const field of ['labels', 'annotations'] as const) {
    const add = wanted.metadata[field] ?? {};
    const own = meta[field] ?? {};
    if (Object.entries(add).some(([k, v]) => own[k] !== v)) {
      // The operator's values win where they set one.
      meta[field] = { ...add, ...own };
      if (Object.keys(add).some((k) => own[k] === undefined)) changed = true;
    }
  }
  return changed ? next : undefined;
}

/** Two rules grant the same when their lists hold the same values, in any order. */
function sameRule(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  for (const k of keys) {
    const u = x[k];
    const v = y[k];
    if (Array.isArray(u) && Array.isArray(v)) {
      if (u.length !== v.length || !isDeepStrictEqual([...u].sort(), [...v].sort())) return false;
    } else if (!isDeepStrictEqual(u ?? [], v ?? [])) return false;
  }
  return true;
}
