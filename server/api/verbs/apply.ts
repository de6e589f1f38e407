/**
 * apply: kubectl's client-side apply of multi-document YAML, all documents in one write, in
 * order, all or nothing. Each object is created, or three-way merged (last-applied annotation,
 * manifest, live object) and updated; `dryRun` runs the same write and rolls it back; a retried
 * requestId answers the first result from the log.
 */
import { badInput } from '../../errors.js';
import type { KObject, KindDef } from '../../resources/kind.js';
import { isPlainObject } from '../../resources/plain-object.js';
import { closestName } from '../../resources/closest-name.js';
import { kinds } from '../../resources/registry.js';
import { prepareObject, type FieldValidation, type PrepareOptions } from '../../resources/validate-object.js';
import type { StoredEvent, WriteTx } from '../../store/types.js';
import type { ApiContext } from '../context.js';
import { createInTx } from './create.js';
import { checkPrecondition } from './lookup.js';
import { parseManifests, type ManifestDocument } from './parse-manifests.js';
import { reusedRequestId } from './request-id.js';
import { threeWayMerge } from './three-way-merge.js';
import { updateInTx } from './update.js';
import { writeOrDryRun } from './object-writes.js';
import { attributesFor } from '../auth/attributes.js';
import type { Guard } from '../auth/guard.js';
import type { VerbContext } from './verb-context.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface AppliedObject {
  kind: string;
  namespace: string | null;
  name: string;
  action: ApplyAction;
  revision: number | null;
}

export interface ApplyResult {
  revision: number;
  objects: AppliedObject[];
  warnings: string[];
}

export interface ApplyArgs {
  manifests: string;
  dryRun?: boolean | null;
  requestId?: string | null;
  fieldValidation?: FieldValidation | null;
}

/** One document, identified: which object of which kind it describes. */
interface Target {
  path: string;
  kind: KindDef;
  manifest: Record<string, unknown> & { metadata: Record<string, unknown> };
  namespace: string;
  name: string;
}

const given = (v: unknown) => v !== undefined && v !== null && v !== '';

function identify(doc: ManifestDocument, kindOf: (name: string) => KindDef | undefined): Target {
  const { path, value } = doc;
  if (!isPlainObject(value)) throw badInput(path, 'must be an object (a Kubernetes manifest)');
  if (!given(value.kind)) throw badInput(`${path}.kind`, 'Required value');
  const kind = typeof value.kind === 'string' ? kindOf(value.kind) : undefined;
  if (!kind) {
    const guess = typeof value.kind === 'string' ? closestName(value.kind, kinds.map((k) => k.kind)) : undefined;
    throw badInput(`${path}.kind`, `Invalid value: ${JSON.stringify(value.kind)}: no such kind${guess ? `; did you mean "${guess}"?` : ''}`);
  }
  if (!given(value.apiVersion)) throw badInput(`${path}.apiVersion`, 'Required value');
  if (value.apiVersion !== kind.apiVersion)
    throw badInput(`${path}.apiVersion`, `Invalid value: ${JSON.stringify(value.apiVersion)}: no matches for kind "${kind.kind}" in version ${JSON.stringify(value.apiVersion)} (it is ${JSON.stringify(kind.apiVersion)})`);
  const meta = value.metadata;
  if (!isPlainObject(meta)) throw badInput(`${path}.metadata`, 'Required value');
  if (!given(meta.name)) {
    // As kubectl: apply finds its object by name, so a generated one cannot be applied again.
    if (given(meta.generateName)) throw badInput(`${path}.metadata.generateName`, 'Invalid value: cannot use generate name with apply');
    throw badInput(`${path}.metadata.name`, 'Required value');
  }
  if (typeof meta.name !== 'string') throw badInput(`${path}.metadata.name`, 'must be a string');
  if (given(meta.namespace) && typeof meta.namespace !== 'string') throw badInput(`${path}.metadata.namespace`, 'must be a string');
  if (given(meta.annotations) && !isPlainObject(meta.annotations)) throw badInput(`${path}.metadata.annotations`, 'must be an object of strings');
  const namespace = kind.namespaced ? ((meta.namespace || 'default') as string) : '';
  return { path, kind, manifest: value as Target['manifest'], namespace, name: meta.name };
}

/** Compact JSON with sorted keys, as kubectl (Go's encoding/json) writes the annotation. */
function canonicalJSON(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJSON(v ?? null)).join(',')}]`;
  if (isPlainObject(value))
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJSON(value[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** The manifest carrying, in its annotation, itself as given (without the annotation). */
function withLastApplied(manifest: Target['manifest']): KObject {
  const lastApplied = structuredClone(manifest);
  const annotations = lastApplied.metadata.annotations;
  if (isPlainObject(annotations) && LAST_APPLIED in annotations) {
    delete annotations[LAST_APPLIED];
    if (Object.keys(annotations).length === 0) delete lastApplied.metadata.annotations;
  }
  const desired = structuredClone(lastApplied) as unknown as KObject;
  desired.metadata.annotations = { ...(isPlainObject(annotations) ? annotations : {}), [LAST_APPLIED]: canonicalJSON(lastApplied) } as Record<string, string>;
  return desired;
}

function lastAppliedOf(live: KObject): unknown {
  const json = live.metadata.annotations?.[LAST_APPLIED];
  if (json === undefined) return undefined;
  try {
    return JSON.parse(json);
  } catch {
    return undefined; // unreadable: treated as absent, so nothing is removed
  }
}

const revisionOf = (o: KObject) => Number(o.metadata.resourceVersion);
const scoped = (t: Target) => (t.kind.namespaced ? t.namespace : null);

function applyOne(tx: WriteTx, ctx: VerbContext & { guard: Guard }, target: Target, requestId: string | undefined, options: PrepareOptions): { applied: AppliedObject; warnings: string[] } {
  const { kind, path } = target;
  const desired = withLastApplied(target.manifest);
  const live = tx.get(kind.kind, target.namespace, target.name);
  const report = (action: ApplyAction, object: KObject, warnings: string[]) => ({
    applied: { kind: kind.kind, namespace: scoped(target), name: target.name, action, revision: revisionOf(object) },
    warnings,
  });

  // kubectl apply reads, then creates or patches: those are the verbs it needs.
  const attributes = attributesFor(kind, live ? 'patch' : 'create', { namespace: target.namespace, name: target.name, object: live });
  ctx.guard.check(attributes);
  if (!live) {
    const prepared = prepareObject(kind, desired, path, options);
    return report('created', createInTx(tx, ctx, kind, prepared, { verb: 'apply', requestId, path }), prepared.warnings);
  }
  checkPrecondition(live, given(target.manifest.metadata.resourceVersion) ? String(target.manifest.metadata.resourceVersion) : undefined);
  const { status: _status, ...rest } = live;
  const merged = threeWayMerge(kind.kind, rest, lastAppliedOf(live), desired as unknown as Record<string, unknown>, path);
  const prepared = prepareObject(kind, merged, path, options);
  const result = updateInTx(tx, ctx, kind, live, prepared, { verb: 'apply', requestId, path });
  return report(result.changed ? 'configured' : 'unchanged', result.object, prepared.warnings);
}

function applyInTx(tx: WriteTx, ctx: VerbContext & { guard: Guard }, targets: Target[], requestId: string | undefined, options: PrepareOptions): ApplyResult {
  const objects: AppliedObject[] = [];
  const warnings: string[] = [];
  for (const target of targets) {
    const one = applyOne(tx, ctx, target, requestId, options);
    objects.push(one.applied);
    warnings.push(...one.warnings.map((w) => `${target.path}: ${w}`));
  }
  return { revision: tx.nextRevision - 1, objects, warnings };
}

/** Unknown-field warnings of a stored object, as prepareObject reported them when it was written. */
function storedWarnings(kind: KindDef, object: KObject, path: string): string[] {
  const { status: _status, ...rest } = object;
  try {
    return prepareObject(kind, rest, path).warnings;
  } catch {
    return [];
  }
}

/**
 * A retried request: the first run's answer rebuilt from its events. Objects it changed are
 * reported from their events; objects it left unchanged appended nothing and are reported from
 * the current state.
 */
function earlierApply(tx: WriteTx, targets: Target[], events: StoredEvent[], requestId: string): ApplyResult {
  // A retry is the same documents: every object the first run changed is one of them.
  const named = new Set(targets.map((t) => `${t.kind.kind}\u0000${t.namespace}\u0000${t.name}`));
  const foreign = events.find((e) => e.verb !== 'apply' || !named.has(`${e.kind}\u0000${e.namespace}\u0000${e.name}`));
  if (foreign) {
    const t = targets[0];
    throw reusedRequestId(requestId, foreign, { verb: 'apply', kind: t.kind.kind, namespace: t.namespace, name: targets.length > 1 ? `${t.name} and ${targets.length - 1} more` : t.name });
  }
  const byObject = new Map<string, StoredEvent[]>();
  for (const e of events) {
    const key = `${e.kind}\u0000${e.namespace}\u0000${e.name}`;
    byObject.set(key, [...(byObject.get(key) ?? []), e]);
  }
  const objects: AppliedObject[] = [];
  const warnings: string[] = [];
  for (const target of targets) {
    const own = byObject.get(`${target.kind.kind}\u0000${target.namespace}\u0000${target.name}`);
    const object = own ? own.at(-1)!.object : tx.get(target.kind.kind, target.namespace, target.name);
    const action: ApplyAction = !own ? 'unchanged' : own[0].type === 'ADDED' ? 'created' : 'configured';
    objects.push({ kind: target.kind.kind, namespace: scoped(target), name: target.name, action, revision: object ? revisionOf(object) : null });
    if (object) warnings.push(...storedWarnings(target.kind, object, target.path).map((w) => `${target.path}: ${w}`));
  }
  return { revision: events.at(-1)!.revision, objects, warnings };
}

export async function apply(ctx: ApiContext, kindOf: (name: string) => KindDef | undefined, args: ApplyArgs): Promise<ApplyResult> {
  const targets = parseManifests(args.manifests).map((doc) => identify(doc, kindOf));
  if (targets.length === 0) throw badInput('manifests', 'no objects passed to apply');
  const requestId = args.requestId || undefined;
  const run = (tx: WriteTx): ApplyResult => {
    const earlier = requestId ? tx.eventsForRequest(ctx.actor, requestId) : [];
    return earlier.length > 0 ? earlierApply(tx, targets, earlier, requestId!) : applyInTx(tx, ctx, targets, requestId, args);
  };
  return writeOrDryRun(ctx.store, Boolean(args.dryRun), run);
}
