/** bind: assigns an unbound pod to a node, setting `spec.nodeName` and `PodScheduled=True` in one event (the pods/binding subresource). */
import { isKind } from '../../resources/objects.js';
import { KubeqlError, badInput } from '../../errors.js';
import type { KObject } from '../../resources/kind.js';
import { dns1123SubdomainErrors } from '../../resources/validation/names.js';
import type { WriteTx } from '../../store/types.js';
import { timestamp, type VerbContext } from './verb-context.js';
import { cloneJson } from '../../resources/clone-json.js';

interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
  [k: string]: unknown;
}

/** The target node's name must be a DNS-1123 subdomain, as a Node's name is. Throws BAD_USER_INPUT naming `nodeName`. */
export function checkNodeName(nodeName: string): void {
  if (nodeName === '') throw badInput('nodeName', 'Required value');
  const errors = dns1123SubdomainErrors(nodeName);
  if (errors.length) throw badInput('nodeName', `Invalid value: ${JSON.stringify(nodeName)}: ${errors.join('; ')}`);
}

/** As podutil.UpdatePodCondition: a condition whose status changes gets a new lastTransitionTime; one that keeps it, its old one. */
function setCondition(status: Record<string, unknown>, condition: PodCondition): void {
  const conditions = Array.isArray(status.conditions) ? [...(status.conditions as PodCondition[])] : [];
  const i = conditions.findIndex((c) => c?.type === condition.type);
  if (i >= 0 && conditions[i].status === condition.status) condition.lastTransitionTime = conditions[i].lastTransitionTime ?? condition.lastTransitionTime;
  if (i >= 0) conditions[i] = condition;
  else conditions.push(condition);
  status.conditions = conditions;
}

function bindingConflict(pod: KObject, reason: string): KubeqlError {
  return new KubeqlError('CONFLICT', `Operation cannot be fulfilled on pods/binding "${pod.metadata.name}": ${reason}`, {
    kind: 'Pod',
    namespace: pod.metadata.namespace,
    name: pod.metadata.name,
  });
}

export function bindInTx(tx: WriteTx, ctx: VerbContext, current: KObject, nodeName: string, requestId?: string | null): KObject {
  const name = current.metadata.name;
  if (current.metadata.deletionTimestamp) throw bindingConflict(current, `pod ${name} is being deleted, cannot be assigned to a host`);
  if (!isKind(current, 'Pod')) throw new Error(`bind: ${current.kind} ${name} is not a Pod`);
  const bound = current.spec.nodeName;
  if (bound) throw bindingConflict(current, `pod ${name} is already assigned to node ${JSON.stringify(bound)}`);

  const next = cloneJson(current);
  next.spec.nodeName = nodeName;
  // The binding changes the spec: generation moves, as Kubernetes does since pods track generation.
  next.metadata.generation = current.metadata.generation + 1;
  next.status = { ...next.status };
  setCondition(next.status, { type: 'PodScheduled', status: 'True', lastTransitionTime: timestamp(tx.ts) });
  tx.append({ actor: ctx.actor, verb: 'bind', type: 'MODIFIED', object: next, requestId: requestId ?? undefined });
  return next;
}
