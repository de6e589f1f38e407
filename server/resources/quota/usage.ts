/** A ResourceQuota's usage: for each resource its `spec.hard` names, the sum of what the covered objects charge. */
import type { KObject, KindDef } from '../kind.js';
import { isKind } from '../objects.js';
import { quotaAmounts } from './amounts.js';
import { chargesOf } from './charges.js';
import { quotaCovers } from './scopes.js';

/** `spec.hard` as integer amounts. */
export const hardOf = (quota: KObject) => quotaAmounts(isKind(quota, 'ResourceQuota') ? quota.spec?.hard : undefined);

/** Usage of `names` (default: every hard name) by `objects` (those of the quota's namespace), 0 where nothing charges. */
export function quotaUsage(quota: KObject, objects: Iterable<{ kind: KindDef; object: KObject }>, names = Object.keys(hardOf(quota))): Record<string, number> {
  const used: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
  for (const { kind, object } of objects) {
    if (!quotaCovers(quota, kind.kind, object)) continue;
    const charges = chargesOf(kind, object);
    for (const name of names) used[name] += charges[name] ?? 0;
  }
  return used;
}
