/** scale: sets the replica count of a kind with a scale subresource (`spec.replicas`); generation +1; an unchanged count appends nothing. */
import { badInput } from '../../errors.js';
import type { KObject, KindDef } from '../../resources/kind.js';
import type { WriteTx } from '../../store/types.js';
import type { VerbContext } from './verb-context.js';
import { cloneJson } from '../../resources/clone-json.js';

/** A replica count must be non-negative. Throws BAD_USER_INPUT naming `replicas`. */
export function checkReplicas(replicas: number): void {
  if (replicas < 0) throw badInput('replicas', `Invalid value: ${replicas}: must be greater than or equal to 0`);
}

function replicasParent(o: KObject, path: readonly string[], create: boolean): Record<string, unknown> | undefined {
  let at: Record<string, unknown> = o;
  for (const key of path.slice(0, -1)) {
    const child = at[key];
    if (typeof child !== 'object' || child === null || Array.isArray(child)) {
      if (!create) return undefined;
      at[key] = {};
    }
    at = at[key] as Record<string, unknown>;
  }
  return at;
}

export function scaleInTx(tx: WriteTx, ctx: VerbContext, kind: KindDef, current: KObject, replicas: number, requestId?: string | null): KObject {
  if (!kind.scale) throw new Error(`${kind.kind} has no scale subresource`);
  const path = kind.scale.replicasPath.split('.');
  const field = path.at(-1)!;
  if (replicasParent(current, path, false)?.[field] === replicas) return current;

  const next = cloneJson(current);
  replicasParent(next, path, true)![field] = replicas;
  next.metadata.generation = current.metadata.generation + 1;
  tx.append({ actor: ctx.actor, verb: 'scale', type: 'MODIFIED', object: next, requestId: requestId ?? undefined });
  return next;
}
