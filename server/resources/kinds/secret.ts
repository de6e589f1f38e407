/**
 * Secret: data as base64 (`data`), `stringData` folded into `data` on every write as the API server
 * does (stringData wins), `type` defaulted to Opaque with the required keys of the known types.
 * Readable only by a read of the Secret itself: every other read path redacts it (secret-redaction.ts).
 */
import type { KindDef } from '../kind.js';
import { bool, kindShape, str, stringMap, type Infer } from '../shape.js';
import { mapKeyPath, type FieldError } from '../validation/field-error.js';
import { dns1123SubdomainErrors } from '../validation/names.js';
import { decodedLength, immutabilityErrors, isBase64, keyErrors, sizeErrors } from './config-data.js';

type StringMap = Record<string, string>;

export const SecretShape = kindShape('Secret', 'v1', { data: stringMap, stringData: stringMap, type: str(), immutable: bool });
/** A Secret, as the API stores and returns it. */
export type Secret = Infer<typeof SecretShape>;

export const SECRET_TYPES = {
  opaque: 'Opaque',
  serviceAccountToken: 'kubernetes.io/service-account-token',
  dockercfg: 'kubernetes.io/dockercfg',
  dockerConfigJson: 'kubernetes.io/dockerconfigjson',
  basicAuth: 'kubernetes.io/basic-auth',
  sshAuth: 'kubernetes.io/ssh-auth',
  tls: 'kubernetes.io/tls',
} as const;

const required = (key: string): FieldError => ({ path: mapKeyPath('data', key), message: 'Required value' });

/** The keys (and annotations) each known type requires (ValidateSecret). */
function typeErrors(o: Secret, data: StringMap): FieldError[] {
  const has = (k: string) => k in data;
  switch (o.type) {
    case SECRET_TYPES.serviceAccountToken:
      return o.metadata.annotations?.['kubernetes.io/service-account.name'] ? [] : [{ path: 'metadata.annotations["kubernetes.io/service-account.name"]', message: 'Required value' }];
    case SECRET_TYPES.dockercfg:
      return has('.dockercfg') ? jsonErrors(data, '.dockercfg') : [required('.dockercfg')];
    case SECRET_TYPES.dockerConfigJson:
      return has('.dockerconfigjson') ? jsonErrors(data, '.dockerconfigjson') : [required('.dockerconfigjson')];
    case SECRET_TYPES.basicAuth:
      return has('username') || has('password') ? [] : [required('username'), required('password')];
    case SECRET_TYPES.sshAuth:
      return data['ssh-privatekey'] ? [] : [required('ssh-privatekey')];
    case SECRET_TYPES.tls:
      return [...(has('tls.crt') ? [] : [required('tls.crt')]), ...(has('tls.key') ? [] : [required('tls.key')])];
    default:
      return [];
  }
}

/** A docker config must decode to JSON; the message never quotes the value. */
function jsonErrors(data: StringMap, key: string): FieldError[] {
  if (!isBase64(data[key])) return [];
  try {
    JSON.parse(Buffer.from(data[key], 'base64').toString('utf8'));
    return [];
  } catch {
    return [{ path: mapKeyPath('data', key), message: 'Invalid value: "<secret contents redacted>": must be valid JSON' }];
  }
}

function validateSecret(o: Secret): FieldError[] {
  const data = o.data ?? {};
  const errors = keyErrors(data, 'data');
  let bytes = 0;
  for (const [k, v] of Object.entries(data)) {
    // Never echo the value: it is the secret.
    if (!isBase64(v)) errors.push({ path: mapKeyPath('data', k), message: 'Invalid value: "<secret contents redacted>": must be base64-encoded (standard encoding, with padding)' });
    else bytes += decodedLength(v);
  }
  if (typeof o.type === 'string' && o.type.length > 253) errors.push({ path: 'type', message: 'Too long: may not be more than 253 bytes' });
  return [...errors, ...sizeErrors(bytes, 'data'), ...typeErrors(o, data)];
}

export const secret: KindDef<Secret> = {
  ...SecretShape,
  resource: 'secrets',
  getField: 'secret',
  listField: 'secrets',
  shortNames: [],
  namespaced: true,
  nameErrors: dns1123SubdomainErrors,
  fieldSelectors: ['type'],
  applyDefaults(o) {
    o.type ??= SECRET_TYPES.opaque;
    const strings = o.stringData;
    if (strings) {
      const data = o.data ?? {};
      for (const [k, v] of Object.entries(strings)) data[k] = Buffer.from(v, 'utf8').toString('base64');
      o.data = data;
    }
    delete o.stringData;
  },
  validate: validateSecret,
  validateUpdate(next, old) {
    const errors = immutabilityErrors(next, old, ['data']);
    if (next.type !== old.type) errors.push({ path: 'type', message: `Invalid value: ${JSON.stringify(next.type)}: field is immutable` });
    return errors;
  },
};
