/**
 * Whose results may be shared: a subscription's execution (and its serialized frame) is shared
 * only among subscribers with the same key, and equal keys give equal authorization answers.
 * Every member of system:masters is allowed everything; anyone else is keyed by identity (name and
 * groups), since RBAC, the node rules and row-level reads (Pod.node, other namespaces) all depend
 * on both.
 */
import type { Guard } from './guard.js';

export function sharingScope(guard: Guard): string {
  if (guard.privileged) return 'system:masters';
  const { name, groups } = guard.identity;
  return JSON.stringify([name, [...groups].sort()]);
}
