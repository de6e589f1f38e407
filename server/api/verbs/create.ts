/** create: namespace and quota admission, name generation, system fields, allocations, one ADDED event. */
import { randomUUID, randomInt } from 'node:crypto';
import { KubeqlError, badInput } from '../../errors.js';
import { cloneJson } from '../../resources/clone-json.js';
import type { KObject, KindDef } from '../../resources/kind.js';
import { throwIfInvalid, type Prepared } from '../../resources/validate-object.js';
import type { Verb, WriteTx } from '../../store/types.js';
import { admitQuota } from './quota-admission.js';
import { allocatorFor, timestamp, type VerbContext } from './verb-context.js';

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** Kubernetes' generateName suffix: 5 characters from an alphabet without vowels or look-alikes. */
function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += ALPHANUMS[randomInt(ALPHANUMS.length)];
  return s;
}

/** A create in a namespace that does not exist is NOT_FOUND; in one that is terminating, FORBIDDEN. */
export function admitNamespace(tx: WriteTx, kind: KindDef, namespace: string): void {
  if (!kind.namespaced) return;
  const ns = tx.get('Namespace', '', namespace);
  if (!ns) throw new KubeqlError('NOT_FOUND', `namespaces "${namespace}" not found`, { kind: 'Namespace', name: namespace });
  if (ns.metadata.deletionTimestamp)
    throw new KubeqlError('FORBIDDEN', `unable to create new content in namespace ${namespace} because it is being terminated`, { namespace });
}

export interface CreateOptions {
  verb: Verb;
  requestId?: string | null;
  /** Where the input sits in the request, for error paths (`input`, `manifests[2]`). */
  path: string;
}

export function createInTx(tx: WriteTx, ctx: VerbContext, kind: KindDef, prepared: Prepared, options: CreateOptions): KObject {
  const object = cloneJson(prepared.object);
  const meta = object.metadata;
  const namespace = kind.namespaced ? (meta.namespace as string) : '';
  if (meta.resourceVersion !== undefined && meta.resourceVersion !== '')
    throw badInput(`${options.path}.metadata.resourceVersion`, 'Invalid value: resourceVersion should not be set on objects to be created');
  admitNamespace(tx, kind, namespace);

  if (!meta.name) {
    let name: string;
    do name = `${meta.generateName}${randomSuffix()}`;
    while (tx.get(kind.kind, namespace, name));
    meta.name = name;
  } else if (tx.get(kind.kind, namespace, meta.name)) {
    throw new KubeqlError('ALREADY_EXISTS', `${kind.resource} "${meta.name}" already exists`, { kind: kind.kind, name: meta.name, namespace: namespace || undefined });
  }

  object.metadata = {
    name: meta.name,
    ...(meta.generateName ? { generateName: meta.generateName } : {}),
    ...(kind.namespaced ? { namespace } : {}),
    uid: randomUUID(),
    resourceVersion: '',
    generation: 1,
    creationTimestamp: timestamp(tx.ts),
    ...(meta.labels ? { labels: meta.labels } : {}),
    ...(meta.annotations ? { annotations: meta.annotations } : {}),
    ...(meta.ownerReferences ? { ownerReferences: meta.ownerReferences } : {}),
    ...(meta.finalizers ? { finalizers: meta.finalizers } : {}),
  };
  delete object.status;
  const status = kind.initialStatus?.(object);
  if (status) object.status = status;
  throwIfInvalid(kind.allocate?.(object, allocatorFor(tx, ctx.ranges)) ?? [], options.path);
  admitQuota(tx, kind, object);
  ctx.admission(tx, kind, object, undefined, options.path);

  tx.append({ actor: ctx.actor, verb: options.verb, type: 'ADDED', object, requestId: options.requestId ?? undefined });
  return object;
}
