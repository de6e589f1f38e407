/** ServiceAccount: an identity for processes (`system:serviceaccount:<namespace>:<name>`); tokens are issued with createServiceAccountToken. */
import type { KindDef } from '../kind.js';
import { arr, bool, kindShape, obj, str, type Infer } from '../shape.js';
import { dns1123SubdomainErrors } from '../validation/names.js';
import { ObjectReference } from './object-reference.js';

export const ServiceAccountShape = kindShape('ServiceAccount', 'v1', {
  secrets: { shape: arr(ObjectReference) },
  imagePullSecrets: { shape: arr(obj('LocalObjectReference', { name: str() })) },
  automountServiceAccountToken: { shape: bool },
});
/** A ServiceAccount, as the API stores and returns it. */
export type ServiceAccount = Infer<typeof ServiceAccountShape>;

export const serviceAccount: KindDef<ServiceAccount> = {
  ...ServiceAccountShape,
  resource: 'serviceaccounts',
  getField: 'serviceAccount',
  listField: 'serviceAccounts',
  shortNames: ['sa'],
  namespaced: true,
  nameErrors: dns1123SubdomainErrors,
  fieldSelectors: [],
};
