/** Namespace: a scope for names; created with the `kubernetes` finalizer, so its deletion waits for its contents to go. */
import type { KindDef } from '../kind.js';
import { arr, json, kindShape, obj, str, type Infer } from '../shape.js';
import { dns1123LabelErrors } from '../validation/names.js';

export const NamespaceShape = kindShape('Namespace', 'v1', { spec: { shape: obj('NamespaceSpec', { finalizers: arr(str()) }) } }, obj('NamespaceStatus', { phase: str(['Active', 'Terminating']), conditions: json }));
/** A Namespace, as the API stores and returns it. */
export type Namespace = Infer<typeof NamespaceShape>;

export const namespace: KindDef<Namespace> = {
  ...NamespaceShape,
  resource: 'namespaces',
  getField: 'namespace',
  listField: 'namespaces',
  shortNames: ['ns'],
  namespaced: false,
  nameErrors: dns1123LabelErrors,
  fieldSelectors: ['status.phase'],
  applyDefaults(o) {
    const spec = (o.spec ??= {});
    spec.finalizers ??= ['kubernetes'];
  },
  initialStatus: () => ({ phase: 'Active' }),
  beginDeletion(o) {
    o.status = { ...o.status, phase: 'Terminating' };
  },
  holdsDeletion: (o) => (o.spec?.finalizers?.length ?? 0) > 0,
};
