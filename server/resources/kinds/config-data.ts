/** Rules ConfigMap and Secret share (k8s.io/kubernetes pkg/apis/core/validation): data keys, total size, immutability. */
import type { KObject } from '../kind.js';
import { mapKeyPath, type FieldError } from '../validation/field-error.js';
import { byteLength, maxLenError, regexError } from '../validation/names.js';

/** MaxSecretSize, also the ConfigMap limit: 1 MiB of data. */
export const MAX_DATA_BYTES = 1024 * 1024;

const CONFIG_KEY_FMT = '[-_.a-zA-Z0-9]+';
const configKey = new RegExp(`^${CONFIG_KEY_FMT}$`);

/** IsConfigMapKey: a file name in a volume, so at most 253 characters of [-._a-zA-Z0-9], not `.` or `..` nor starting with `..`. */
export function configKeyErrors(key: string): string[] {
  const errs: string[] = [];
  if (byteLength(key) > 253) errs.push(maxLenError(253));
  if (!configKey.test(key)) errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", CONFIG_KEY_FMT, 'key.name', 'KEY_NAME', 'key-name'));
  if (key === '.') errs.push("must not be '.'");
  else if (key === '..') errs.push("must not be '..'");
  else if (key.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** Key errors of one map, each naming the key's path (`data["a b"]`). */
export function keyErrors(map: Record<string, unknown> | undefined, path: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const key of Object.keys(map ?? {})) for (const m of configKeyErrors(key)) errors.push({ path: mapKeyPath(path, key), message: `Invalid value: ${JSON.stringify(key)}: ${m}` });
  return errors;
}

const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard base64 with padding, as Go's encoding/json decodes a []byte (line breaks ignored). */
export function isBase64(value: string): boolean {
  return base64.test(value.replace(/\r?\n/g, ''));
}

/** Decoded length of a base64 string already checked by isBase64. */
export function decodedLength(value: string): number {
  const v = value.replace(/\r?\n/g, '');
  return (v.length / 4) * 3 - (v.endsWith('==') ? 2 : v.endsWith('=') ? 1 : 0);
}

/** Too long: the whole data over MAX_DATA_BYTES. */
export function sizeErrors(bytes: number, path: string): FieldError[] {
  return bytes > MAX_DATA_BYTES ? [{ path, message: `Too long: must have at most ${MAX_DATA_BYTES} bytes` }] : [];
}

/** An object with `immutable: true` keeps its data and stays immutable (ValidateConfigMapUpdate, ValidateSecretUpdate). */
export function immutabilityErrors(next: KObject, old: KObject, fields: readonly string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errors: FieldError[] = [];
  if (next.immutable !== true) errors.push({ path: 'immutable', message: 'Forbidden: field is immutable when `immutable` is set' });
  for (const f of fields)
    if (JSON.stringify(next[f] ?? {}) !== JSON.stringify(old[f] ?? {})) errors.push({ path: f, message: 'Forbidden: field is immutable when `immutable` is set' });
  return errors;
}
