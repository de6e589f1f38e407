/** ConfigMap: configuration data as strings (`data`) or bytes (`binaryData`, base64), consumed by pods through env and volumes. */
import type { KindDef } from '../kind.js';
import { bool, kindShape, stringMap, type Infer } from '../shape.js';
import { mapKeyPath, type FieldError } from '../validation/field-error.js';
import { byteLength, dns1123SubdomainErrors } from '../validation/names.js';
import { decodedLength, immutabilityErrors, isBase64, keyErrors, sizeErrors } from './config-data.js';

export const ConfigMapShape = kindShape('ConfigMap', 'v1', { data: stringMap, binaryData: stringMap, immutable: bool });
/** A ConfigMap, as the API stores and returns it. */
export type ConfigMap = Infer<typeof ConfigMapShape>;

function validateConfigMap(o: ConfigMap): FieldError[] {
  const data = o.data ?? {};
  const binary = o.binaryData ?? {};
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

export const configMap: KindDef<ConfigMap> = {
  ...ConfigMapShape,
  resource: 'configmaps',
  getField: 'configMap',
  listField: 'configMaps',
  shortNames: ['cm'],
  namespaced: true,
  nameErrors: dns1123SubdomainErrors,
  fieldSelectors: [],
  validate: validateConfigMap,
  validateUpdate: (next, old) => immutabilityErrors(next, old, ['data', 'binaryData']),
};
