/** ServiceAccount: an identity for processes (`system:serviceaccount:<namespace>:<name>`); tokens are issued with createServiceAccountToken. */
import type { KindDef } from '../kind.js';
import { arr, bool, obj, str } from '../shape.js';
import { dns1123SubdomainErrors } from '../validation/names.js';
import { ObjectReference } from './object-reference.js';

export const serviceAccount: KindDef = {
  kind: 'ServiceAccount',
  apiVersion: 'v1',
  resource: 'serviceaccounts',
  getField: 'serviceAccount',
  listField: 'serviceAccounts',
  shortNames: ['sa'],
  namespaced: true,
  nameErrors: dns1123SubdomainErrors,
  body: {
    secrets: { shape: arr(ObjectReference) },
    imagePullSecrets: { shape: arr(obj('LocalObjectReference', { name: str() })) },
    automountServiceAccountToken: { shape: bool },
  },
  fieldSelectors: [],
};
