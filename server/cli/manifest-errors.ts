/** The API's errors about manifests told in the user's terms: which file, which document, which field (`manifests[3].spec.replicas` → "shop.yaml, document 2 (line 14) deployment.apps/shop: spec.replicas: ..."). */
import { ClientError } from '../client/client-error.js';
import { CliError } from './cli-error.js';
import { kindOfManifest, objectRef } from './kinds.js';
import { originText, type ManifestDoc } from './manifest-files.js';

function identity(doc: ManifestDoc): string {
  const kind = kindOfManifest(doc.value.kind);
  const name = (doc.value.metadata as Record<string, unknown> | undefined)?.name;
  return kind && typeof name === 'string' ? ` ${objectRef(kind, name)}` : '';
}

/** The document's place and identity: `shop.yaml, document 2 (line 14) deployment.apps/shop`. */
export const docLabel = (doc: ManifestDoc): string => `${originText(doc)}${identity(doc)}`;

/** Strips the `field: ` the server puts before its message. */
const reason = (message: string, field: string) => (message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message);

function restated(e: ClientError, doc: ManifestDoc, field: string | undefined, rest: string): Error {
  const first = e.errors[0];
  const message = field ? reason(first.message, field) : first.message;
  if (field) return new CliError(`${docLabel(doc)}: ${rest ? `${rest}: ` : ''}${message}`);
  return new ClientError([{ ...first, message: `${docLabel(doc)}: ${message}` }]);
}

/** An error of `apply`, whose paths start `manifests[i]` with i the index in `docs`. */
export function applyError(e: unknown, docs: ManifestDoc[]): unknown {
  if (!(e instanceof ClientError) || !e.errors[0]) return e;
  const ext = e.errors[0].extensions ?? {};
  const field = typeof ext.field === 'string' ? ext.field : undefined;
  const m = field ? /^manifests\[(\d+)\]\.?(.*)$/.exec(field) : null;
  if (m && docs[Number(m[1])]) return restated(e, docs[Number(m[1])], field, m[2]);
  // Errors without a path (NOT_FOUND, ALREADY_EXISTS, CONFLICT) name the object, or the namespace it needs.
  const named = docs.find((d) => {
    const meta = (d.value.metadata ?? {}) as Record<string, unknown>;
    if (ext.kind === 'Namespace' && e.code === 'NOT_FOUND') return meta.namespace === ext.name;
    return d.value.kind === ext.kind && meta.name === ext.name;
  });
  return named ? restated(e, named, undefined, '') : e;
}

/** An error of a per-object mutation (create, delete) on one document, whose paths start `input`. */
export function objectError(e: unknown, doc: ManifestDoc): unknown {
  if (!(e instanceof ClientError) || !e.errors[0]) return e;
  const field = e.errors[0].extensions?.field;
  if (typeof field === 'string') {
    const m = /^input\.?(.*)$/.exec(field);
    return restated(e, doc, field, m ? m[1] : field);
  }
  return restated(e, doc, undefined, '');
}
