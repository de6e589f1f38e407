/**
 * Saved objects given back to `kq apply` (the output of `kq get -o yaml`, edited or not). Applied
 * as written, such a document would record server-set fields (uid, status, defaults) as the user's
 * configuration. Instead kq applies the fields of the configuration last applied (the
 * `last-applied-configuration` annotation) with the file's values, plus the fields the user added
 * or removed since the file was saved, told apart from server defaults by reading the object as
 * it was saved (`atRevision` = its resourceVersion): an unedited file applies `unchanged`, an
 * edit applies as that edit. As with kubectl, the file's resourceVersion is a precondition: if
 * the object changed since, kq refuses (checked just before the apply, in the same run). Without
 * a saved version to compare with, the server-set fields are dropped and the rest applied.
 */
import type { KubeqlClient } from '../client/client.js';
import type { KindDef } from '../resources/kind.js';
import { CliError } from './cli-error.js';
import { isPlainObject, mergeDiff, mergePatch } from './json-merge-patch.js';
import { getObjects, type ObjectRef } from './object-api.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const SERVER_SET = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink', 'managedFields'];

export interface Saved {
  /** Undefined for a kind the server does not know (it will say so). */
  kind: KindDef | undefined;
  value: Record<string, unknown>;
  /** Where the document came from, for errors (`shop.yaml, document 2 (line 14) deployment.apps/shop`). */
  label: string;
}

const metaOf = (o: Record<string, unknown>): Record<string, unknown> => (isPlainObject(o.metadata) ? o.metadata : {});
const given = (v: unknown) => v !== undefined && v !== null && v !== '';

/** A document written by the server rather than by hand: it carries fields only the server sets. */
export function isSavedObject(value: Record<string, unknown>): boolean {
  const meta = metaOf(value);
  return given(meta.resourceVersion) || given(meta.uid) || given(meta.creationTimestamp);
}

/** The object without what the server sets: status, system metadata, the last-applied annotation. */
export function withoutServerFields(value: Record<string, unknown>): Record<string, unknown> {
  const { status: _status, ...rest } = structuredClone(value);
  const meta = metaOf(rest);
  for (const field of SERVER_SET) delete meta[field];
  if (isPlainObject(meta.annotations)) {
    delete meta.annotations[LAST_APPLIED];
    if (Object.keys(meta.annotations).length === 0) delete meta.annotations;
  }
  return rest;
}

function lastApplied(value: Record<string, unknown>): Record<string, unknown> | undefined {
  const annotations = metaOf(value).annotations;
  const json = isPlainObject(annotations) ? annotations[LAST_APPLIED] : undefined;
  if (typeof json !== 'string') return undefined;
  try {
    const parsed = JSON.parse(json);
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The parts of `from` at the paths `shape` has: objects key by key, lists of the same length item
 * by item (so server defaults inside a container stay out), anything else whole.
 */
function pick(from: unknown, shape: unknown): unknown {
  if (isPlainObject(shape) && isPlainObject(from)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(shape)) if (from[key] !== undefined) out[key] = pick(from[key], shape[key]);
    return out;
  }
  if (Array.isArray(shape) && Array.isArray(from) && shape.length === from.length) return from.map((item, i) => pick(item, shape[i]));
  return structuredClone(from);
}

/** The object as saved and as it is now; either null when absent (or the saved revision is compacted away). */
async function readBoth(client: KubeqlClient, refs: ObjectRef[]): Promise<{ then: Array<Record<string, unknown> | null>; now: Array<Record<string, unknown> | null> }> {
  const now = (await getObjects(client, refs.map(({ atRevision: _at, ...ref }) => ref))) as Array<Record<string, unknown> | null>;
  let then: Array<Record<string, unknown> | null> = refs.map(() => null);
  try {
    then = (await getObjects(client, refs)) as typeof then;
  } catch {
    // EXPIRED (compacted), or a revision from another cluster: apply without the saved version.
  }
  return { then, now };
}

/** The manifests to apply: saved objects turned into configurations, the rest as they are. */
export async function manifestsForSaved(client: KubeqlClient, docs: Saved[]): Promise<Array<Record<string, unknown>>> {
  const saved = docs.flatMap((d, i) => (d.kind && isSavedObject(d.value) ? [{ ...d, kind: d.kind, i, meta: metaOf(d.value) }] : []));
  const out = docs.map((d) => d.value);
  if (saved.length === 0) return out;
  const refs = saved.map((d) => {
    const rv = String(d.meta.resourceVersion ?? '');
    return { kind: d.kind, namespace: String(d.meta.namespace ?? 'default'), name: String(d.meta.name ?? ''), atRevision: /^\d+$/.test(rv) ? Number(rv) : undefined };
  });
  const { then, now } = await readBoth(client, refs);
  saved.forEach((d, j) => {
    const rv = d.meta.resourceVersion;
    const live = now[j];
    if (given(rv) && live && metaOf(live).resourceVersion !== String(rv))
      throw new CliError(
        `${d.label}: the object has been modified since this file was saved (resourceVersion ${rv}, now ${metaOf(live).resourceVersion}); get it again (kq get -o yaml), or delete metadata.resourceVersion from the file to apply it anyway`,
      );
    const saved = refs[j].atRevision !== undefined ? then[j] : null;
    const base = saved && lastApplied(saved);
    const sameObject = saved && (!given(d.meta.uid) || metaOf(saved).uid === d.meta.uid);
    if (!saved || !base || !sameObject) {
      out[d.i] = withoutServerFields(d.value);
      return;
    }
    const file = withoutServerFields(d.value);
    const manifest = mergePatch(pick(file, base), mergeDiff(withoutServerFields(saved), file)) as Record<string, unknown>;
    // Apply puts a manifest without a namespace into `default`: name any other.
    const namespace = d.meta.namespace;
    if (d.kind.namespaced && metaOf(manifest).namespace === undefined && given(namespace) && namespace !== 'default') metaOf(manifest).namespace = namespace;
    out[d.i] = manifest;
  });
  return out;
}
