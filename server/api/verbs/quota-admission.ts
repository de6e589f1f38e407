/**
 * ResourceQuota admission for every create: an object that would take a namespace past a quota's
 * `spec.hard` is refused with QUOTA_EXCEEDED, worded as Kubernetes words it, and nothing is written.
 *
 * Kubernetes admits against the quota controller's `status.used` and settles races between API
 * servers with a conflict retry on the quota object. Here the store is local and this runs inside
 * the create's write transaction, so usage is counted exactly from the store: two concurrent
 * creates are serialized by the transaction and cannot both squeeze under the limit, and a stale
 * or missing `status.used` never lets anything through.
 */
import { isKind } from '../../resources/objects.js';
import { KubeqlError } from '../../errors.js';
import type { KObject, KindDef } from '../../resources/kind.js';
import { formatQuotaAmount } from '../../resources/quota/amounts.js';
import { chargesOf, missingPodResources } from '../../resources/quota/charges.js';
import { quotaCovers } from '../../resources/quota/scopes.js';
import { hardOf, quotaUsage } from '../../resources/quota/usage.js';
import type { WriteTx } from '../../store/types.js';

const pretty = (names: string[], amounts: Record<string, number>) => names.map((n) => `${n}=${formatQuotaAmount(n, amounts[n])}`).join(',');

export function admitQuota(tx: WriteTx, kind: KindDef, object: KObject): void {
  if (!kind.namespaced) return;
  const namespace = object.metadata.namespace as string;
  const quotas = tx.list('ResourceQuota', namespace);
  if (quotas.length === 0) return;
  const requested = chargesOf(kind, object);
  if (Object.keys(requested).length === 0) return;
  const forbidden = (message: string, quota: string) =>
    new KubeqlError('QUOTA_EXCEEDED', `${kind.resource} "${object.metadata.name}" is forbidden: ${message}`, { quota, namespace });

  let existing: Array<{ kind: KindDef; object: KObject }> | undefined;
  for (const quota of quotas) {
    if (!quotaCovers(quota, kind.kind, object)) continue;
    const hard = hardOf(quota);
    const names = Object.keys(hard);
    const missing = isKind(object, 'Pod') ? missingPodResources(object, names) : [];
    if (missing.length) throw forbidden(`failed quota: ${quota.metadata.name}: must specify ${missing.join(',')}`, quota.metadata.name);
    const constrained = names.filter((n) => requested[n] !== undefined).sort();
    if (constrained.length === 0) continue;
    existing ??= tx.list(kind.kind, namespace).map((o) => ({ kind, object: o }));
    const used = quotaUsage(quota, existing, constrained);
    const exceeded = constrained.filter((n) => used[n] + requested[n] > hard[n]);
    if (exceeded.length)
      throw forbidden(
        `exceeded quota: ${quota.metadata.name}, requested: ${pretty(exceeded, requested)}, used: ${pretty(exceeded, used)}, limited: ${pretty(exceeded, hard)}`,
        quota.metadata.name,
      );
  }
}
