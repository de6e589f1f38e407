/** The namespace of a manifest, as kubectl settles it: the document's own, else -n (else the default), and a clash with -n is an error. */
import type { KindDef } from '../resources/kind.js';
import { CliError } from './cli-error.js';
import { docLabel } from './manifest-errors.js';
import type { ManifestDoc } from './manifest-files.js';
import { isPlainObject } from '../resources/plain-object.js';
import type { CliContext } from './verb.js';

/** The document with its namespace filled in (a copy), for a namespaced kind. */
export function withNamespace(ctx: CliContext, kind: KindDef | undefined, doc: ManifestDoc): Record<string, unknown> {
  if (!kind?.namespaced || !isPlainObject(doc.value.metadata)) return doc.value;
  const own = doc.value.metadata.namespace;
  if (typeof own === 'string' && own !== '') {
    if (ctx.namespaceGiven && own !== ctx.namespace)
      throw new CliError(`${docLabel(doc)}: the namespace from the provided object "${own}" does not match the namespace "${ctx.namespace}". You must pass '--namespace=${own}' to perform this operation.`);
    return doc.value;
  }
  return { ...doc.value, metadata: { ...doc.value.metadata, namespace: ctx.namespace } };
}
