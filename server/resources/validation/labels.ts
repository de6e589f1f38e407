/** Label and annotation rules (k8s.io/apimachinery validation.IsQualifiedName, IsValidLabelValue, ValidateLabels, ValidateAnnotations). */
import { childPath, mapKeyPath, type FieldError } from './field-error.js';
import { byteLength, dns1123SubdomainErrors, maxLenError, regexError } from './names.js';
import { isPlainObject } from '../plain-object.js';

const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const qualifiedName = new RegExp(`^${QUALIFIED_NAME_FMT}$`);
const labelValue = new RegExp(`^${LABEL_VALUE_FMT}$`);

/** Kubernetes' limit on the summed byte size of all annotation keys and values (256 KiB). */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** IsQualifiedName: a label/annotation key, `[prefix/]name` with a DNS-1123 subdomain prefix and a name of at most 63 characters. */
export function qualifiedNameErrors(key: string): string[] {
  const errs: string[] = [];
  const parts = key.split('/');
  if (parts.length > 2) {
    return [
      `a qualified name ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}` +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  const name = parts.length === 2 ? parts[1] : parts[0];
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...dns1123SubdomainErrors(prefix).map((m) => `prefix part ${m}`));
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (byteLength(name) > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!qualifiedName.test(name)) errs.push(`name part ${regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** IsValidLabelValue: empty, or at most 63 characters of [A-Za-z0-9-_.] with alphanumeric ends. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push(maxLenError(63));
  if (!labelValue.test(value)) errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

const invalid = (value: string, message: string): string => `Invalid value: ${JSON.stringify(value)}: ${message}`;


/** ValidateLabels: an object of qualified-name keys to label values; null/undefined (no labels) is valid. */
export function validateLabels(labels: unknown, path: string): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (!isPlainObject(labels)) return [{ path, message: 'must be an object mapping label keys to string values' }];
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const p = mapKeyPath(path, key);
    for (const m of qualifiedNameErrors(key)) errors.push({ path: p, message: invalid(key, m) });
    if (typeof value !== 'string') errors.push({ path: p, message: 'must be a string' });
    else for (const m of labelValueErrors(value)) errors.push({ path: p, message: invalid(value, m) });
  }
  return errors;
}

/** ValidateAnnotations: keys are qualified names (case-insensitively), values are strings, keys+values total at most 256 KiB. */
export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (!isPlainObject(annotations)) return [{ path, message: 'must be an object mapping annotation keys to string values' }];
  const errors: FieldError[] = [];
  let total = 0;
  for (const [key, value] of Object.entries(annotations)) {
    const p = mapKeyPath(path, key);
    for (const m of qualifiedNameErrors(key.toLowerCase())) errors.push({ path: p, message: invalid(key, m) });
    total += byteLength(key);
    if (typeof value !== 'string') errors.push({ path: p, message: 'must be a string' });
    else total += byteLength(value);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) {
    errors.push({ path, message: `Too long: may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes (annotations total ${total} bytes)` });
  }
  return errors;
}
