/** ConfigMap: configuration data as strings (`data`) or bytes (`binaryData`, base64), consumed by pods through env and volumes. */
import type { KObject, KindDef } from '../kind.js';
import { bool, stringMap } from '../shape.js';
import { mapKeyPath, type FieldError } from '../validation/field-error.js';
import { byteLength, dns1123SubdomainErrors } from '../validation/names.js';
import { decodedLength, immutabilityErrors, isBase64, keyErrors, sizeErrors } from './config-data.js';

type StringMap = Record<string, string>;

function validateConfigMap(o: KObject): FieldError[] {
  const data = (o.data ?? {}) as StringMap;
  const binary = (o.binaryData ?? {}) as StringMap;
  const errors = [...keyErrors(data, 'data'), ...keyErrors(binary, 'binaryData')];
  let bytes = 0;
  for (const v of Object.values(data)) bytes += byteLength(v);
  for (const [k, v] of Object.entries(binary)) {
    if (k in data) errors.push({ path: mapKeyPath('binaryData', k), message: `Invalid value: ${JSON.stringify(k)}: duplicate of key ${JSON.stringify(k)} present in data` });
    if (!isBase64(v)) errors.push({ path: mapKeyPath('binaryData', k), message: 'Invalid value: must be base64-encoded (standard encoding, with padding)' });
    else bytes += decodedLength(v);
  }
  return [...errors, ...sizeErrors(bytes, 'data')];
}

export const configMap: KindDef = {
  kind: 'ConfigMap',
  apiVersion: 'v1',
  resource: 'configmaps',
  getField: 'configMap',
  listField: 'configMaps',
  shortNames: ['cm'],
  namespaced: true,
  nameErrors: dns1123SubdomainErrors,
  body: { data: { shape: stringMap }, binaryData: { shape: stringMap }, immutable: { shape: bool } },
  fieldSelectors: [],
  validate: validateConfigMap,
  validateUpdate: (next, old) => immutabilityErrors(next, old, ['data', 'binaryData']),
};
