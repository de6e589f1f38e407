/** Reads the object a write targets, or fails as Kubernetes does: NOT_FOUND, or CONFLICT on a stale resourceVersion. */
import { KubeqlError } from '../../errors.js';
import type { KObject, KindDef } from '../../resources/kind.js';
import type { WriteTx } from '../../store/types.js';

export function mustGet(tx: WriteTx, kind: KindDef, namespace: string | undefined, name: string): KObject {
  const ns = kind.namespaced ? (namespace ?? 'default') : '';
  const current = tx.get(kind.kind, ns, name);
  if (!current) {
    const where = kind.namespaced ? ` in namespace "${ns}"` : '';
    throw new KubeqlError('NOT_FOUND', `${kind.resource} "${name}" not found${where}`, { kind: kind.kind, name, namespace: ns || undefined });
  }
  return current;
}

export function checkPrecondition(current: KObject, resourceVersion: unknown): void {
  if (resourceVersion === undefined || resourceVersion === null || resourceVersion === '') return;
  // It may come from a patch's metadata, so any JSON: only a string (or a number) names a version.
  if (typeof resourceVersion !== 'string' && typeof resourceVersion !== 'number')
    throw new KubeqlError('BAD_USER_INPUT', 'metadata.resourceVersion: must be a string', { field: 'metadata.resourceVersion' });
  if (current.metadata.resourceVersion !== String(resourceVersion))
    throw new KubeqlError(
      'CONFLICT',
      `Operation cannot be fulfilled on ${current.kind} "${current.metadata.name}": the object has been modified; please apply your changes to the latest version and try again (resourceVersion ${resourceVersion}, current ${current.metadata.resourceVersion})`,
      { currentResourceVersion: current.metadata.resourceVersion },
    );
}
